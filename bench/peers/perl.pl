#!/usr/bin/env perl
# perl: one alternation of all patterns (longest first, so the longest wins at a
# position), whole words, case-insensitive, and a hash from folded match to replacement.
# Usage: perl.pl PAIRS.tsv CORPUS OUT   (prints "substitutions N")
use strict;
use warnings;
use utf8;
use feature qw(fc);
use open qw(:std :encoding(UTF-8));
use File::Find;
use File::Path qw(make_path);
use File::Basename qw(dirname);

my ($pairs, $corpus, $out) = @ARGV;
my %map;
open my $fh, '<', $pairs or die "$pairs: $!";
while (my $line = <$fh>) {
    chomp $line;
    my ($pattern, $replacement) = split /\t/, $line, 2;
    $map{fc $pattern} //= $replacement;
}
close $fh;
my $alternation = join '|', map { quotemeta } sort { length $b <=> length $a } keys %map;
my $regex = qr/\b($alternation)\b/i;
my $count = 0;
find({ no_chdir => 1, wanted => sub {
    return unless -f $_;
    my $path = $_;
    (my $target = $path) =~ s/^\Q$corpus\E/$out/;
    open my $in, '<', $path or die "$path: $!";
    local $/;
    my $text = <$in>;
    close $in;
    $count += ($text =~ s/$regex/$map{fc $1}/g) || 0;
    make_path(dirname($target));
    open my $w, '>', $target or die "$target: $!";
    print $w $text;
    close $w;
}}, $corpus);
print "substitutions $count\n";
