//! Spans that are never edited: URLs, e-mail addresses, bare domain names
//! (`openai.com`), @handles, and code: hashtags, repository paths (`owner/name`),
//! identifiers with `_`, `.` or `::` between letters, file names with an extension,
//! package names in install commands, text between backticks and command lines after a
//! shell prompt. Rather than scanning every article for them, a candidate match is
//! checked against the white-space-delimited token around it, which is where most such
//! spans would have to be, and only a token that could hold one is searched; the three
//! kinds that reach over several tokens (install commands, backticks, prompts) are
//! looked for on the candidate's line of the original text, and only on a line that has
//! a backtick, a prompt or an install verb.

use std::sync::LazyLock;

use regex::Regex;

/// URLs, e-mail addresses, @handles, bare domains with a common top-level domain, and
/// code tokens. The list of domains is closed on purpose: "fin.Le" (a missing space) is
/// not a domain (it is, however, two letters around a `.`: an identifier such as
/// `openai.ChatCompletion`, kept as it is; a missed correction is better than broken
/// code).
///
/// Case is ignored only where it changes something (`\w` and `\S` hold both cases): a
/// regex ignoring case as a whole takes half again as long to compile, on a worker in
/// the middle of a run.
static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
          \b(?i:https?|ftp)://\S+
        | \b(?i:www)\.\S+
        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
        | @\w[\w.]*
        | \b(?:[\w-]+\.)+
          (?i:com|org|net|edu|gov|int|fr|eu|be|ch|ca|de|uk|us|io|ai|co|app|dev|tech|info|news|tv|me|ly|gl|cn|jp|ru|it|es|nl)
          \b(?:/\S*)?
        # hashtags (a `#` that follows a word character is `C#`, not a hashtag)
        | (?:^|[^\w&]) \#\w+
        # repository paths and other paths: ASCII names of two characters or more around
        # a `/` (French words around a slash, `entrée/sortie`, have accents or are no
        # artifact; `X/S` and `1/2` are too short to be names)
        | (?-i:[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9] / [A-Za-z0-9][A-Za-z0-9_-][A-Za-z0-9_./-]*)
        # identifiers: `_`, `.` or `::` between letters or digits (`.` only between
        # letters: `v2.5` is a version, `DeepSeek-V2.5` prose)
        | \w+(?:(?:_|::)\w+)+
        | \w*[^\W\d_]\.[^\W\d_][\w.]*
        # file names: a closed list of extensions, after any name
        | [\w-]+\.(?i:py|rs|js|ts|jsx|tsx|json|jsonl|md|txt|ya?ml|toml|csv|sh|ipynb|html?|css|c|h|cpp|go|java|rb|gguf|safetensors|bin|pt|pth|onnx|zip|tar|gz|pdf|docx?|png|jpe?g|svg|lock|cfg|ini|env)\b
        ",
    )
    .expect("valid protection regex")
});

/// Whether `token` could hold a protected span: every match of [`PROTECTED`] holds an
/// `@`, a `://`, a `www.` in any case, a `.` followed by an ASCII letter (its
/// top-level domain, file extension or attribute; no letter that begins one has a
/// non-ASCII case variant), a `.` between two letters, a `#`, a `/`, a `_` or `::`.
/// Most tokens with a `.` around a candidate end a sentence ("… DeepSeek."): they need no
/// search, and a run whose candidates all stand in such tokens never compiles the regex
/// (about a millisecond, on the worker of the first candidate that needs it, while the
/// other worker may be waiting for that one).
fn could_be_protected(token: &str) -> bool {
    let bytes = token.as_bytes();
    memchr::memchr3(b'@', b'#', b'/', bytes).is_some()
        || bytes.contains(&b'_')
        || token.contains("::")
        || bytes
            .windows(2)
            .any(|pair| pair[0] == b'.' && pair[1].is_ascii_alphabetic())
        || bytes
            .windows(4)
            .any(|four| four.eq_ignore_ascii_case(b"www."))
        || letter_dot_letter(token)
}

/// Whether `token` has a `.` between two letters (non-ASCII ones too: `é.à`).
fn letter_dot_letter(token: &str) -> bool {
    memchr::memchr_iter(b'.', token.as_bytes()).any(|i| {
        let before = token[..i].chars().next_back();
        let after = token[i + 1..].chars().next();
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic());
        letter(before) && letter(after)
    })
}

/// Whether the match `start..end` of `view` touches a protected span; `text` is the
/// original the view was made from, `original` the match's range in it.
pub(crate) fn is_protected(
    view: &str,
    start: usize,
    end: usize,
    text: &str,
    original: (usize, usize),
) -> bool {
    in_protected_token(view, start, end) || in_code_line(text, original.0, original.1)
}

/// Whether the match `start..end` of `view` touches a protected span of its token.
fn in_protected_token(view: &str, start: usize, end: usize) -> bool {
    let token_start = view[..start]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let token_end = view[end..]
        .find(|c: char| c.is_whitespace())
        .map_or(view.len(), |i| end + i);
    let token = &view[token_start..token_end];
    if !could_be_protected(token) {
        return false;
    }
    let (start, end) = (start - token_start, end - token_start);
    PROTECTED
        .find_iter(token)
        .any(|m| m.start() < end && start < m.end())
}

/// How far from a match its line is read, each way, in bytes: a prompt or an install
/// command further away is not on a line of code.
const LINE_REACH: usize = 1000;

/// Commands that install packages: what follows them on their line, up to the first
/// token that cannot be a package name or an option, is package names. The word boundary
/// is ASCII (`(?-u:\b)`): the commands are ASCII, and a Unicode `\b` makes the regex crate
/// leave its lazy DFA for a backtracker on French text, which took an eighth of `check`
/// (this regex runs on the line before every candidate).
static INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
          (?-u:\b)(?:
              (?:pip3?|pipx|uv\ pip|uv|poetry|pdm|npm|pnpm|yarn|bun|cargo|apt|apt-get|
                 conda|mamba|micromamba|brew|gem|dnf|yum|apk|composer|dotnet|go|nix-env)
              \s+(?:install|add|get|i)
            | npx | pacman\s+-S\w*
          )(?:\s|$)
        ",
    )
    .expect("valid install regex")
});

/// Words one of which every match of [`INSTALL`] holds: its verbs, spaced as the regex
/// wants them, and the commands without one.
static INSTALL_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["install", " add", " get", " i ", " i\t", "npx", "pacman"])
        .expect("valid install words")
});

/// Prompts that start a command line (after optional indentation): `$ `, `% ` and the
/// Python and PowerShell prompts `>>> `, `PS> `. A `# ` is not one: in Markdown and in
/// plain text written from it, it starts a heading, far more often than a root prompt.
const PROMPTS: &[&str] = &["$ ", "% ", ">>> ", "PS> "];

/// Whether the original range `start..end` lies on a line of code: after a shell
/// prompt, between backticks, or among the package names of an install command.
fn in_code_line(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let floor = crate::correct::sentence::floor_boundary(text, start.saturating_sub(LINE_REACH));
    let ceiling = ceil_boundary(text, (end + LINE_REACH).min(text.len()));
    let line_start = memchr::memrchr(b'\n', &bytes[floor..start]).map_or(floor, |i| floor + i + 1);
    let line_end = memchr::memchr(b'\n', &bytes[end..ceiling]).map_or(ceiling, |i| end + i);
    let (before, after) = (&text[line_start..start], &text[end..line_end]);
    let indented = before.trim_start_matches([' ', '\t']);
    if PROMPTS.iter().any(|p| indented.starts_with(p)) {
        return true;
    }
    between_backticks(before, after) || in_install_command(before, &text[start..line_end])
}

/// Whether a match is inside a backtick-quoted span of its line: an odd number of
/// backticks before it and one after it.
fn between_backticks(before: &str, after: &str) -> bool {
    memchr::memchr_iter(b'`', before.as_bytes()).count() % 2 == 1
        && memchr::memchr(b'`', after.as_bytes()).is_some()
}

/// Whether a match is a package name of an install command earlier on its line: only
/// names and options (ASCII letters, digits, `-_.@/:=<>~^+[]` and quotes) come between
/// the command and the match, and the match's own token is one too (the last of the
/// command when punctuation ends it: `pip install openai, puis…`).
fn in_install_command(before: &str, from_match: &str) -> bool {
    // A cheap test first: most lines name no package manager, and the regex would read
    // the line before every candidate (an eighth of `fix` at 1,000 rules).
    if !INSTALL_WORDS.is_match(before) {
        return false;
    }
    let Some(command) = INSTALL.find_iter(before).last() else {
        return false;
    };
    let match_token = from_match.split_whitespace().next().unwrap_or("");
    let match_token = match_token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    before[command.end()..]
        .split_whitespace()
        .chain([match_token])
        .all(is_package_token)
}

/// A package name, version requirement or option: `openai`, `openai>=1.0`, `-U`,
/// `@openai/agents`, `"openai[all]"`; not a word ending a clause (`openai,` `openai.`),
/// an elided word (`s'installe`) nor a French word that names no package (`le`, `puis`).
fn is_package_token(token: &str) -> bool {
    let name = token.trim_matches(['"', '\'']);
    !name.is_empty()
        && !token.ends_with(['.', ',', ';', ':', '!', '?'])
        && !PROSE_WORDS.contains(&name)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@/:=<>~^+[]".contains(c))
}

/// Short French words that end a list of packages: prose goes on after the command.
const PROSE_WORDS: &[&str] = &[
    "a", "au", "aux", "avec", "ce", "dans", "de", "des", "du", "en", "est", "et", "il", "la", "le",
    "les", "ou", "par", "pas", "plus", "pour", "puis", "qui", "que", "se", "sont", "sur", "un",
    "une",
];

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn protected(text: &str, word: &str) -> bool {
        let start = text.find(word).unwrap();
        let end = start + word.len();
        is_protected(text, start, end, text, (start, end))
    }

    #[test]
    fn protects_urls_mails_domains_and_handles() {
        assert!(protected("voir https://openai.com/chatgpt ici", "chatgpt"));
        assert!(protected("voir (openai.com).", "openai"));
        assert!(protected("écrire à press@openai.com.", "openai"));
        assert!(protected("suivez @openai sur X", "openai"));
        assert!(protected("www.deepseek.ai/r1", "deepseek"));
    }

    #[test]
    fn protects_spans_in_any_case() {
        assert!(protected("voir HTTPS://OpenAI.COM/ChatGPT", "ChatGPT"));
        assert!(protected("site WWW.Deepseek.AI", "Deepseek"));
        assert!(protected("voir WWW.openai/chatgpt", "chatgpt"));
        assert!(protected("(Openai.Com)", "Openai"));
        assert!(protected("voir http://127.0.0.1/chatgpt", "chatgpt"));
    }

    #[test]
    fn a_token_that_only_ends_a_sentence_is_not_searched() {
        assert!(!could_be_protected("DeepSeek."));
        assert!(!could_be_protected("«Openai»..."));
        assert!(!could_be_protected("v3:"));
        assert!(could_be_protected("fin.Le"));
        assert!(could_be_protected("wWw.)"));
    }

    /// Tokens made of the pieces protected spans are made of, and of characters around
    /// them: ASCII and accented letters, letters whose case variants are not ASCII (ſ,
    /// the Kelvin sign), digits and punctuation.
    fn tokens() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "http", "HTTPS", "ftp", "://", "www", "WwW", ".", "@", "com", "Co", "uK", "fr",
            "openai", "ſ", "\u{212A}", "é", "É", "-", "_", "+", "/", ")", "»", "’", "1", "x", ":",
            "#", "::", "py", "a", "&",
        ]);
        proptest::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
    }

    /// The plain twin: [`PROTECTED`] ignoring case as a whole; compiled once,
    /// not for every generated token.
    static FOLDING_EVERYTHING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("(?i){}", PROTECTED.as_str())).unwrap());

    proptest::proptest! {
        /// The shortcut never skips a token the regex would find a span in.
        #[test]
        fn the_shortcut_never_skips_a_protected_span(token in tokens()) {
            proptest::prop_assert!(could_be_protected(&token) || !PROTECTED.is_match(&token));
        }

        /// Ignoring case only where it matters finds the same spans as ignoring it all.
        #[test]
        fn local_case_folding_finds_what_folding_everything_found(token in tokens()) {
            let spans = |regex: &Regex| regex.find_iter(&token).map(|m| m.range()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(spans(&PROTECTED), spans(&FOLDING_EVERYTHING));
        }
    }

    #[test]
    fn protects_code_tokens() {
        assert!(protected("suivez #chatgpt et #OpenAI", "chatgpt"));
        assert!(protected(
            "le dépôt deepseek-ai/DeepSeek-V3 est",
            "DeepSeek"
        ));
        assert!(protected("clonez (openai/whisper).", "whisper"));
        assert!(protected("appelez openai.ChatCompletion ici", "openai"));
        assert!(protected("la variable deep_seek vaut", "deep_seek"));
        assert!(protected("le module deepseek::client", "deepseek"));
        assert!(protected("ouvrez deepseek_v3.gguf", "deepseek"));
        assert!(protected("lancez openai.PY", "openai"));
        assert!(!protected("en C# et Openai", "Openai"));
        assert!(!protected("la version DeepSeek-V2.5 sort", "DeepSeek"));
        assert!(!protected("entrée/sortie d'Openai", "Openai"));
        assert!(!protected("sur Xbox Série X/S et", "Xbox Série X"));
    }

    #[test]
    fn protects_code_lines() {
        assert!(protected(
            "Installez-le : pip install openai deepseek",
            "deepseek"
        ));
        assert!(protected("puis npm i -D openai@4 ici", "openai"));
        assert!(protected("  $ ollama run deepseek-r1\nOpenai", "deepseek"));
        assert!(protected(">>> import openai", "openai"));
        assert!(protected("la fonction `openai.chat(x)` et", "chat"));
        assert!(protected("tapez `deepseek run` puis", "deepseek"));
        assert!(!protected("tapez `x` puis Openai", "Openai"));
        assert!(protected("tapez pip install openai, puis", "openai"));
        assert!(!protected(
            "conda install openai le paquet chez deepseek",
            "deepseek"
        ));
        assert!(protected("pip install 'openai>=1' deepseek", "deepseek"));
        assert!(!protected(
            "pip install openai, puis Openai rit",
            "Openai rit"
        ));
        assert!(!protected("$ ls\nOpenai publie", "Openai"));
        assert!(!protected("# Openai publie", "Openai"));
        assert!(!protected("Openai publie", "Openai"));
    }

    #[test]
    fn leaves_ordinary_words_alone() {
        assert!(!protected("selon openai. puis", "openai"));
        assert!(!protected("d'openai, et", "openai"));
        assert!(!protected("fin.le openai", "openai"));
    }
}
