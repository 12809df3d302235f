//! French seams: the word just before a replaced span, changed to suit the replacement
//! (`/work/shared/FRENCH-SEAMS.md` is the reference). Only that one word changes, and only
//! in three ways:
//!
//! - **restored** before a consonant sound: "d'" → "de ", "qu'" → "que ", "jusqu'",
//!   "lorsqu'", "puisqu'", "quoiqu'", "n'", "s'", "c'", "j'", "m'", "t'" likewise, and "l'"
//!   → "le "/"la " when the rule gives the replacement's gender; a quote between them
//!   stays ("d'« X »" → "de « Y »");
//! - **elided** before a vowel sound: "de", "que", "jusque", "le", "la" followed by one
//!   space ("de OpenAI" → "d'OpenAI"), with the apostrophe the paragraph uses most; never
//!   across a quote, and not "ne", "se", "je", "me", "te" (they elide before verbs, which
//!   no noun-phrase replacement starts with), "ce" (never "c'" before a noun), "si",
//!   "lorsque", "puisque" (optional before a name: the text's form is kept);
//! - **contracted**, when the rule says `seam=contract`: "de"/"à" before a replacement
//!   that starts with "Le"/"Les" ("de Le Monde" → "du Monde").
//!
//! When the replacement's first sound is uncertain (a lower-case h word neither list
//! knows), nothing changes. The seam word keeps its case ("D'" → "De", "DE" → "D'").

use crate::glossary::{Agreement, Gender, Onset, Seam};

/// Apostrophes that make an elision.
const APOSTROPHES: [char; 3] = ['\'', '\u{2019}', '\u{2bc}'];

/// A seam's change: the seam word starts at `start` (before the match) and the
/// replacement becomes `replacement`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Widened {
    pub start: usize,
    pub replacement: String,
}

/// The change at the seam of a replacement of `text[start..]` by `replacement`, if any;
/// the seam word may not start before `floor` (the end of the previous substitution).
/// `apostrophe` gives the paragraph's apostrophe for an elision.
pub(crate) fn widen(
    text: &str,
    floor: usize,
    start: usize,
    replacement: &str,
    seam: Seam,
    apostrophe: impl FnOnce() -> char,
) -> Option<Widened> {
    if seam.off || replacement.is_empty() {
        return None;
    }
    // A seam word is a few letters: look no further back.
    let from = crate::correct::sentence::floor_boundary(text, start.saturating_sub(24)).max(floor);
    let before = &text[from..start];
    let onset = seam.onset.or_else(|| onset(replacement))?;
    if let Some(w) = restored(before, replacement, onset, seam.gender) {
        return Some(w.at(from));
    }
    if let Some(w) = contracted(before, replacement, seam) {
        return Some(w.at(from));
    }
    if onset == Onset::Vowel {
        return elided(before, replacement, apostrophe).map(|w| w.at(from));
    }
    None
}

impl Widened {
    /// Moves a start relative to `from` into the text.
    fn at(mut self, from: usize) -> Widened {
        self.start += from;
        self
    }
}

/// What the determiner before a French replacement becomes (see [`agree`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Agreed {
    /// The determiner changes: the edit starts with it.
    Changed(Widened),
    /// The determiner already agrees.
    Kept,
    /// No determiner right before the match, or one whose new form is uncertain ("des"
    /// before a singular noun, a first sound neither list knows).
    Uncertain,
}

/// Determiners, by family: what a determiner becomes is the form of its family for
/// the replacement's gender, number and first sound (FRENCH-SEAMS.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// le, la, l', les
    Definite,
    /// du, de la, de l', des (the last only towards a plural: it is also the plural of
    /// "un")
    OfThe,
    /// au, à la, à l', aux
    ToThe,
    /// ce, cet, cette, ces
    Demonstrative,
    /// un, une; plural "des"
    Indefinite,
    /// mon, ma, mes (and t…, s…): the first letter
    Possessive(char),
    /// notre/nos, votre/vos, leur/leurs: the singular, the plural
    Ours(&'static str, &'static str),
}

/// Single-word determiners before one space, by family.
const DETERMINERS: &[(Family, &[&str])] = &[
    (Family::Definite, &["le", "la", "les"]),
    (Family::OfThe, &["du", "des"]),
    (Family::ToThe, &["au", "aux"]),
    (Family::Demonstrative, &["ce", "cet", "cette", "ces"]),
    (Family::Indefinite, &["un", "une"]),
    (Family::Possessive('m'), &["mon", "ma", "mes"]),
    (Family::Possessive('t'), &["ton", "ta", "tes"]),
    (Family::Possessive('s'), &["son", "sa", "ses"]),
    (Family::Ours("notre", "nos"), &["notre", "nos"]),
    (Family::Ours("votre", "vos"), &["votre", "vos"]),
    (Family::Ours("leur", "leurs"), &["leur", "leurs"]),
];

impl Family {
    /// The form before a noun of `agreement` starting with `onset`; `None` where it is
    /// uncertain. Elided forms end with `'`.
    fn form(self, agreement: Agreement, onset: Option<Onset>) -> Option<String> {
        use Family::*;
        let vowel = || onset.map(|o| o == Onset::Vowel);
        let feminine = agreement.gender == Some(Gender::Feminine);
        let form = match (self, agreement.plural) {
            (Definite, true) => "les",
            (OfThe, true) => "des",
            (ToThe, true) => "aux",
            (Demonstrative, true) => "ces",
            (Indefinite, true) => "des",
            (Possessive(p), true) => return Some(format!("{p}es")),
            (Ours(_, plural), true) => plural,
            (Ours(singular, _), false) => singular,
            // Towards a singular, the gender counts (never `None` in the singular).
            _ if agreement.gender.is_none() => return None,
            (Indefinite, false) => match feminine {
                true => "une",
                false => "un",
            },
            (Possessive(p), false) => match feminine && !vowel()? {
                true => return Some(format!("{p}a")),
                false => return Some(format!("{p}on")),
            },
            (Demonstrative, false) => match (feminine, vowel()?) {
                (true, _) => "cette",
                (false, true) => "cet",
                (false, false) => "ce",
            },
            (Definite | OfThe | ToThe, false) => {
                // Before a vowel, the masculine and feminine forms are one.
                let [before_vowel, feminine_form, masculine_form] = match self {
                    Definite => ["l'", "la", "le"],
                    OfThe => ["de l'", "de la", "du"],
                    _ => ["à l'", "à la", "au"],
                };
                match (vowel()?, feminine) {
                    (true, _) => before_vowel,
                    (false, true) => feminine_form,
                    (false, false) => masculine_form,
                }
            }
        };
        Some(form.to_owned())
    }
}

/// The determiner right before `text[start..]` (not before `floor`) made to agree with
/// a French `replacement` of `agreement` (FRENCH-SEAMS.md §5): "l'automne" → "la chute",
/// "cet automne" → "cette chute", "du printemps" → "de la source", "les automnes" →
/// "les chutes". The determiner is the word before the match and one space, or an
/// elided "l'" (after "de " or "à " they make one determiner: "de l'", "à la"); a new
/// elision takes the determiner's own apostrophe, else `apostrophe()`. The determiner
/// keeps its case ("Cet" → "Cette").
pub(crate) fn agree(
    text: &str,
    floor: usize,
    start: usize,
    replacement: &str,
    agreement: Agreement,
    apostrophe: impl FnOnce() -> char,
) -> Agreed {
    let from = crate::correct::sentence::floor_boundary(text, start.saturating_sub(24)).max(floor);
    let before = &text[from..start];
    let Some((at, word, family, elided)) = determiner(before) else {
        return Agreed::Uncertain;
    };
    // "des automnes": "de" + "les", or the plural of "un"; a singular cannot tell.
    if word.eq_ignore_ascii_case("des") && !agreement.plural {
        return Agreed::Uncertain;
    }
    let Some(form) = family.form(agreement, onset(replacement)) else {
        return Agreed::Uncertain;
    };
    let own_apostrophe = elided.or_else(|| {
        form.ends_with('\'')
            .then(|| before[at..].chars().find(|c| APOSTROPHES.contains(c)))
            .flatten()
    });
    let form = match form.strip_suffix('\'') {
        Some(stem) => format!("{stem}{}", own_apostrophe.unwrap_or_else(apostrophe)),
        None => format!("{form} "),
    };
    let form = with_case_of(word, &form);
    if before[at..] == form {
        return Agreed::Kept;
    }
    Agreed::Changed(Widened {
        start: from + at,
        replacement: format!("{form}{replacement}"),
    })
}

/// The determiner at the end of `before`: where it starts, its first word, its family,
/// and its apostrophe when it ends elided.
fn determiner(before: &str) -> Option<(usize, &str, Family, Option<char>)> {
    if let Some(apostrophe) = before
        .chars()
        .next_back()
        .filter(|c| APOSTROPHES.contains(c))
    {
        let (at, word) = last_word(&before[..before.len() - apostrophe.len_utf8()])?;
        if !word.eq_ignore_ascii_case("l") {
            return None;
        }
        return Some(with_preposition(
            before,
            at,
            word,
            Family::Definite,
            Some(apostrophe),
        ));
    }
    let (at, word) = last_word(before.strip_suffix(' ')?)?;
    let lower = word.to_lowercase();
    let &(family, _) = DETERMINERS
        .iter()
        .find(|(_, words)| words.contains(&lower.as_str()))?;
    Some(match lower.as_str() {
        "la" => with_preposition(before, at, word, family, None),
        _ => (at, word, family, None),
    })
}

/// "de la", "à l'": a definite article after "de " or "à " is one determiner with it.
fn with_preposition<'a>(
    before: &'a str,
    at: usize,
    word: &'a str,
    family: Family,
    elided: Option<char>,
) -> (usize, &'a str, Family, Option<char>) {
    let preposition = before[..at]
        .strip_suffix(' ')
        .and_then(last_word)
        .and_then(|(p, w)| match w.to_lowercase().as_str() {
            "de" => Some((p, w, Family::OfThe)),
            "à" => Some((p, w, Family::ToThe)),
            _ => None,
        });
    match preposition {
        Some((p, w, family)) => (p, w, family, elided),
        None => (at, word, family, elided),
    }
}

/// Elided words and their full forms; `l'` is restored by gender.
const ELIDED: &[(&str, &str)] = &[
    ("d", "de"),
    ("qu", "que"),
    ("jusqu", "jusque"),
    ("lorsqu", "lorsque"),
    ("puisqu", "puisque"),
    ("quoiqu", "quoique"),
    ("n", "ne"),
    ("s", "se"),
    ("c", "ce"),
    ("j", "je"),
    ("m", "me"),
    ("t", "te"),
];

/// Whether `word` (lower case), written before an apostrophe, is an elided word ("d",
/// "l", "qu", "jusqu"…): the word after the apostrophe is then a word of its own. After
/// any other ("prud'hommes", "presqu'île", "aujourd'hui"), it is part of one word.
pub(crate) fn is_elided(word: &str) -> bool {
    word == "l" || ELIDED.iter().any(|(elided, _)| *elided == word)
}

/// Words elided before a vowel sound, and their elided forms.
const ELIDING: &[(&str, &str)] = &[
    ("de", "d"),
    ("que", "qu"),
    ("jusque", "jusqu"),
    ("le", "l"),
    ("la", "l"),
];

/// "d'X" → "de Y" before a consonant sound (a quote may stand between).
fn restored(
    before: &str,
    replacement: &str,
    onset: Onset,
    gender: Option<Gender>,
) -> Option<Widened> {
    if onset != Onset::Consonant {
        return None;
    }
    // An opening quote between the elided word and the match: `d'« X »`, `d'"X"`.
    let quoted = before
        .trim_end_matches([' ', '\u{a0}', '\u{202f}'])
        .strip_suffix(['«', '“', '"']);
    let core = match quoted {
        Some(core) if core.ends_with(APOSTROPHES) => core,
        _ => before,
    };
    let between = &before[core.len()..];
    let apostrophe = core
        .chars()
        .next_back()
        .filter(|c| APOSTROPHES.contains(c))?;
    let word_text = &core[..core.len() - apostrophe.len_utf8()];
    let (word_start, word) = last_word(word_text)?;
    let lower = word.to_lowercase();
    let full = match lower.as_str() {
        "l" => match gender? {
            Gender::Masculine => "le",
            Gender::Feminine => "la",
        },
        _ => ELIDED.iter().find(|(e, _)| *e == lower)?.1,
    };
    Some(Widened {
        start: word_start,
        replacement: format!("{} {between}{replacement}", with_case_of(word, full)),
    })
}

/// "de Y" → "d'Y" before a vowel sound: the word, one space, the match.
fn elided(before: &str, replacement: &str, apostrophe: impl FnOnce() -> char) -> Option<Widened> {
    let word_text = before.strip_suffix(' ')?;
    let (word_start, word) = last_word(word_text)?;
    let lower = word.to_lowercase();
    let short = ELIDING.iter().find(|(full, _)| *full == lower)?.1;
    Some(Widened {
        start: word_start,
        replacement: format!("{}{}{replacement}", with_case_of(word, short), apostrophe()),
    })
}

/// "de Le X" → "du X", "à Les X" → "aux X" (with `seam=contract`).
fn contracted(before: &str, replacement: &str, seam: Seam) -> Option<Widened> {
    if !seam.contract {
        return None;
    }
    let word_text = before.strip_suffix(' ')?;
    let (word_start, word) = last_word(word_text)?;
    let (article, rest) = replacement.split_once(' ')?;
    let contracted = match (
        word.to_lowercase().as_str(),
        article.to_lowercase().as_str(),
    ) {
        ("de", "le") => "du",
        ("de", "les") => "des",
        ("à", "le") => "au",
        ("à", "les") => "aux",
        _ => return None,
    };
    Some(Widened {
        start: word_start,
        replacement: format!("{} {rest}", with_case_of(word, contracted)),
    })
}

/// The last word of `text` and where it starts, if `text` ends with one that stands
/// alone (not the end of "aujourd" or "prud", not after an apostrophe).
fn last_word(text: &str) -> Option<(usize, &str)> {
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()?
        .0;
    let previous = text[..start].chars().next_back();
    if previous
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || APOSTROPHES.contains(&c) || c == '-')
    {
        return None;
    }
    Some((start, &text[start..]))
}

/// `form` in the case of `word`: upper case after an all-capitals word of two letters or
/// more, capitalised after a capital, else lower case.
fn with_case_of(word: &str, form: &str) -> String {
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    if capitals >= 2 && capitals == word.chars().count() {
        return form.to_uppercase();
    }
    if word.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = form.chars();
        return chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    form.to_owned()
}

/// Words whose first sound blocks elision although they start with a vowel or `y`.
const BLOCKERS: &[&str] = &[
    "onze",
    "onzième",
    "oui",
    "ouï-dire",
    "uhlan",
    "ululement",
    "huit",
    "huitième",
    "yacht",
    "yaourt",
    "yoga",
    "yen",
    "yankee",
    "yéti",
];

/// Words starting with a `y` and a vowel before which French elides all the same.
const Y_VOWELS: &[&str] = &["yeuse", "yonne", "yeux"];

/// Lower-case words with an aspirate h (and every English loan: hub, hardware…).
const ASPIRATE_H: &[&str] = &[
    "hache",
    "haie",
    "haine",
    "haïr",
    "halte",
    "hamac",
    "hameau",
    "hanche",
    "handicap",
    "hangar",
    "harceler",
    "haricot",
    "hasard",
    "hâte",
    "hausse",
    "haut",
    "haute",
    "hérisson",
    "héros",
    "hibou",
    "hiérarchie",
    "homard",
    "honte",
    "hors",
    "hublot",
    "hurler",
    "hall",
    "hamburger",
    "hardware",
    "hashtag",
    "hobby",
    "holding",
    "hold-up",
    "hub",
    "hacker",
    "handball",
    "hockey",
    "hip-hop",
    "hit",
    "hackathon",
    "hedge",
    "home",
];

/// Lower-case words with a mute h.
const MUTE_H: &[&str] = &[
    "homme",
    "heure",
    "hiver",
    "histoire",
    "hôpital",
    "hôtel",
    "huile",
    "habitude",
    "héroïne",
    "hier",
    "humain",
    "humanité",
    "hypothèse",
    "hybride",
    "hydrogène",
    "herbe",
    "honneur",
    "horizon",
    "horaire",
    "hôte",
    "hommage",
    "habitant",
    "harmonie",
    "héritage",
    "hélicoptère",
    "hypothèque",
    "hexagone",
    "hebdomadaire",
];

/// Names with a mute h (most names with an h have an aspirate one).
const MUTE_H_NAMES: &[&str] = &[
    "hermès", "hélène", "hector", "hercule", "homère", "horace", "haïti", "hudson",
];

/// The first sound of a replacement (FRENCH-SEAMS.md §2), `None` when uncertain.
pub(crate) fn onset(replacement: &str) -> Option<Onset> {
    let first = replacement.chars().next()?;
    if !first.is_alphabetic() {
        // Digits, symbols and quotes: "de 01.AI", "de « X »".
        return Some(Onset::Consonant);
    }
    let word: String = replacement
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '\u{308}')
        .collect();
    let lower = word.to_lowercase();
    let first_word = lower.split('-').next().unwrap_or(&lower);
    if BLOCKERS.contains(&lower.as_str()) || BLOCKERS.contains(&first_word) {
        return Some(Onset::Consonant);
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        // Letters spelled out with a number: "la A40".
        return Some(Onset::Consonant);
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let acronym = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    let capital = first.is_uppercase();
    let lower_first = lower.chars().next()?;
    let second = lower.chars().nth(1);
    let vowel = |c: char| "aàâäeéèêëiîïoôöuùûüœæ".contains(c);
    Some(match lower_first {
        _ if acronym => match "aeiouàâäéèêëîïôöùûü".contains(lower_first) {
            // "l'ONU", "d'IBM"; "de HP", "la SNCF" (never wrong).
            true => Onset::Vowel,
            false => Onset::Consonant,
        },
        'y' if Y_VOWELS.contains(&lower.as_str()) => Onset::Vowel,
        'y' => match second.is_some_and(vowel) {
            // "de YouTube", "le yaourt"; "d'Yves".
            true => Onset::Consonant,
            false => Onset::Vowel,
        },
        'w' => Onset::Consonant,
        'o' if capital && lower.starts_with("one") && word.len() > 3 => Onset::Consonant,
        'h' if capital => match MUTE_H_NAMES.contains(&lower.as_str()) {
            true => Onset::Vowel,
            false => Onset::Consonant,
        },
        'h' if ASPIRATE_H.contains(&lower.as_str()) => Onset::Consonant,
        'h' if MUTE_H.contains(&lower.as_str()) => Onset::Vowel,
        'h' => return None,
        c if vowel(c) => Onset::Vowel,
        _ => Onset::Consonant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with `⟦…⟧` around the match, replaced by `replacement` with its seam.
    fn seam(marked: &str, replacement: &str, rule: Seam) -> String {
        let start = marked.find('⟦').unwrap();
        let end = marked.find('⟧').unwrap();
        let text = marked.replace(['⟦', '⟧'], "");
        let match_end = end - '⟦'.len_utf8();
        let apostrophe = || {
            let curly = text.matches('\u{2019}').count();
            if curly > text.matches('\'').count() {
                '\u{2019}'
            } else {
                '\''
            }
        };
        let (start, replacement) = match widen(&text, 0, start, replacement, rule, apostrophe) {
            Some(w) => (w.start, w.replacement),
            None => (start, replacement.to_owned()),
        };
        format!("{}{replacement}{}", &text[..start], &text[match_end..])
    }

    fn fix(marked: &str, replacement: &str) -> String {
        seam(marked, replacement, Seam::default())
    }

    #[test]
    fn french_seams_reference_cases() {
        // FRENCH-SEAMS.md §7, cases 1 to 23 and 37 to 47.
        let cases = [
            (
                "le modèle d'⟦IA profonde⟧",
                "DeepSeek",
                "le modèle de DeepSeek",
            ),
            ("le patron de ⟦Ouvert IA⟧", "OpenAI", "le patron d'OpenAI"),
            (
                "l’équipe, le patron d’⟦Ouvert IA⟧",
                "OpenAI",
                "l’équipe, le patron d’OpenAI",
            ),
            ("D'⟦IA profonde⟧, rien.", "DeepSeek", "De DeepSeek, rien."),
            ("De ⟦Ouvert IA⟧, rien.", "OpenAI", "D'OpenAI, rien."),
            (
                "⟦L'IA profonde⟧ a publié R1.",
                "DeepSeek",
                "DeepSeek a publié R1.",
            ),
            (
                "les modèles de ⟦l'Ouvert IA⟧",
                "OpenAI",
                "les modèles d'OpenAI",
            ),
            (
                "puisqu'⟦IA profonde⟧ publie",
                "DeepSeek",
                "puisque DeepSeek publie",
            ),
            (
                "puisque ⟦Ouvert IA⟧ publie",
                "OpenAI",
                "puisque OpenAI publie",
            ),
            ("si ⟦Ouvert IA⟧ publie", "OpenAI", "si OpenAI publie"),
            (
                "le hub d'⟦Étreinte Visage⟧",
                "Hugging Face",
                "le hub de Hugging Face",
            ),
            ("les sacs de ⟦Mercure⟧", "Hermès", "les sacs d'Hermès"),
            ("l'essor d'⟦Exploit chinois⟧", "Huawei", "l'essor de Huawei"),
            ("les PC d'⟦Ache-Pé⟧", "HP", "les PC de HP"),
            (
                "la plateforme d'⟦Ton Tube⟧",
                "YouTube",
                "la plateforme de YouTube",
            ),
            ("les chauffeurs de ⟦Sur⟧", "Uber", "les chauffeurs d'Uber"),
            ("le moteur de ⟦Unité⟧", "Unity", "le moteur d'Unity"),
            (
                "la mise à jour de ⟦Fenêtres⟧",
                "Windows",
                "la mise à jour de Windows",
            ),
            ("les serveurs de ⟦Machines⟧", "IBM", "les serveurs d'IBM"),
            ("les puces d'⟦Envie⟧", "Nvidia", "les puces de Nvidia"),
            (
                "les modèles d'⟦Un Zéro IA⟧",
                "01.AI",
                "les modèles de 01.AI",
            ),
            ("les fans de ⟦Le Chaton⟧", "Le Chat", "les fans de Le Chat"),
            (
                "l'entreprise ⟦IA profonde⟧",
                "DeepSeek",
                "l'entreprise DeepSeek",
            ),
            ("jusqu'à ⟦IA profonde⟧", "DeepSeek", "jusqu'à DeepSeek"),
            (
                "aujourd'hui ⟦Ouvert IA⟧ annonce",
                "OpenAI",
                "aujourd'hui OpenAI annonce",
            ),
            (
                "le label '⟦IA profonde⟧'",
                "DeepSeek",
                "le label 'DeepSeek'",
            ),
            (
                "le terme «\u{a0}⟦IA profonde⟧\u{a0}»",
                "DeepSeek",
                "le terme «\u{a0}DeepSeek\u{a0}»",
            ),
            ("via ⟦Ouvert IA⟧'s API", "OpenAI", "via OpenAI's API"),
            (
                "qu'⟦IA profonde⟧ l'emporte",
                "DeepSeek",
                "que DeepSeek l'emporte",
            ),
            (
                "le modèle d'« ⟦IA profonde⟧ »",
                "DeepSeek",
                "le modèle de « DeepSeek »",
            ),
            (
                "le modèle de ⟦DeepSeek⟧",
                "DeepSeek",
                "le modèle de DeepSeek",
            ),
            ("DE ⟦OUVERT IA⟧", "OpenAI", "D'OpenAI"),
            ("la sortie de ⟦Openai⟧", "OpenAI", "la sortie d'OpenAI"),
            ("que ⟦Openai⟧ publie", "OpenAI", "qu'OpenAI publie"),
            ("un ouvrage de ⟦heure⟧", "hôpital", "un ouvrage d'hôpital"),
            ("un ouvrage d'⟦heure⟧", "hibiscus", "un ouvrage d'hibiscus"),
            ("de\u{a0}⟦Openai⟧", "OpenAI", "de\u{a0}OpenAI"),
            ("il ne ⟦Openai⟧", "OpenAI", "il ne OpenAI"),
        ];
        for (marked, replacement, expected) in cases {
            assert_eq!(fix(marked, replacement), expected, "{marked}");
        }
    }

    #[test]
    fn gender_contraction_onset_and_off() {
        let gender = |g| Seam {
            gender: Some(g),
            ..Seam::default()
        };
        assert_eq!(
            seam("l'⟦automne⟧ des cours", "chute", gender(Gender::Feminine)),
            "la chute des cours"
        );
        assert_eq!(
            seam("L'⟦automne⟧", "chute", gender(Gender::Feminine)),
            "La chute"
        );
        assert_eq!(
            seam("l'⟦automne⟧", "déclin", gender(Gender::Masculine)),
            "le déclin"
        );
        assert_eq!(
            fix("l'⟦automne⟧", "chute"),
            "l'chute",
            "no gender: unchanged"
        );
        let contract = Seam {
            contract: true,
            ..Seam::default()
        };
        assert_eq!(
            seam("un article de ⟦Le Globe⟧", "Le Monde", contract),
            "un article du Monde"
        );
        assert_eq!(
            seam("à ⟦Les Cèdres⟧", "Les Mureaux", contract),
            "aux Mureaux"
        );
        assert_eq!(
            seam("De ⟦Les Cèdres⟧", "Les Mureaux", contract),
            "Des Mureaux"
        );
        let consonant = Seam {
            onset: Some(Onset::Consonant),
            ..Seam::default()
        };
        assert_eq!(seam("de ⟦X⟧", "Ubuntu", consonant), "de Ubuntu");
        let off = Seam {
            off: true,
            ..Seam::default()
        };
        assert_eq!(seam("d'⟦IA profonde⟧", "DeepSeek", off), "d'DeepSeek");
    }

    /// `marked` with its determiner agreed with `replacement` of `agreement`, or
    /// `None` where mtfix would write the source replacement instead.
    fn agreed(marked: &str, replacement: &str, agreement: Agreement) -> Option<String> {
        let start = marked.find('⟦').unwrap();
        let match_end = marked.find('⟧').unwrap() - '⟦'.len_utf8();
        let text = marked.replace(['⟦', '⟧'], "");
        let (start, replacement) = match agree(&text, 0, start, replacement, agreement, || '\'') {
            Agreed::Changed(w) => (w.start, w.replacement),
            Agreed::Kept => (start, replacement.to_owned()),
            Agreed::Uncertain => return None,
        };
        Some(format!(
            "{}{replacement}{}",
            &text[..start],
            &text[match_end..]
        ))
    }

    #[test]
    fn determiners_agree_with_a_french_replacement() {
        // FRENCH-SEAMS.md §7, cases 24 to 36, and the other determiners of §5, as
        // `text | replacement gender [pl] | expected` (`-`: uncertain, so mtfix writes the
        // source replacement instead).
        let cases = "\
            l'⟦automne⟧ des marchés | chute f | la chute des marchés
            L’⟦automne⟧ des cours | chute f | La chute des cours
            cet ⟦automne⟧ | chute f | cette chute
            ce ⟦printemps⟧ | chute f | cette chute
            de l'⟦automne⟧ boursier | chute f | de la chute boursier
            au ⟦printemps⟧ du fleuve | source f | à la source du fleuve
            Du ⟦printemps⟧ | source f | De la source
            la ⟦chute⟧ 2024 | automne m | l'automne 2024
            de la ⟦chute⟧ | déclin m | du déclin
            à la ⟦chute⟧ | déclin m | au déclin
            cette ⟦chute⟧ | automne m | cet automne
            ma ⟦chute⟧ préférée | automne m | mon automne préférée
            à l'⟦entrée⟧ | hall m | au hall
            son ⟦idée⟧ | piste f | sa piste
            son ⟦projet⟧ | idée f | son idée
            la ⟦boisson⟧ lactée | yaourt m | le yaourt lactée
            l'⟦équipe⟧ de France | onze m | le onze de France
            une ⟦idée⟧ | projet m | un projet
            notre ⟦idée⟧ | projet m | notre projet
            LA ⟦CHUTE⟧ | AUTOMNE m | L'AUTOMNE
            la ⟦baisse⟧ | chute f | la chute
            les ⟦automnes⟧ | chutes f pl | les chutes
            aux ⟦automnes⟧ | chutes pl | aux chutes
            l'⟦automne⟧ | chutes f pl | les chutes
            cet ⟦automne⟧ | chutes f pl | ces chutes
            du ⟦printemps⟧ | sources f pl | des sources
            mon ⟦idée⟧ | pistes f pl | mes pistes
            un ⟦printemps⟧ | sources f pl | des sources
            le premier ⟦automne⟧ | chute f | -
            d'⟦automne⟧ | chute f | -
            des ⟦automnes⟧ | chute f | -
            l'⟦automne⟧ | hibiscus m | -
            la\u{a0}⟦chute⟧ | automne m | -
            aujourd'⟦hui⟧ | chute f | -";
        for case in cases.lines() {
            let [marked, french, expected] =
                [0, 1, 2].map(|i| case.split(" | ").nth(i).unwrap().trim());
            let mut words = french.split(' ');
            let replacement = words.next().unwrap();
            let words: Vec<&str> = words.collect();
            let agreement = Agreement {
                gender: match words[0] {
                    "m" => Some(Gender::Masculine),
                    "f" => Some(Gender::Feminine),
                    _ => None,
                },
                plural: words.contains(&"pl"),
            };
            let expected = (expected != "-").then_some(expected);
            assert_eq!(
                agreed(marked, replacement, agreement).as_deref(),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn onsets() {
        use Onset::*;
        for (word, expected) in [
            ("OpenAI", Some(Vowel)),
            ("Yves", Some(Vowel)),
            ("YouTube", Some(Consonant)),
            ("WhatsApp", Some(Consonant)),
            ("OnePlus", Some(Consonant)),
            ("ONU", Some(Vowel)),
            ("SNCF", Some(Consonant)),
            ("A40", Some(Consonant)),
            ("onze", Some(Consonant)),
            ("œuvre", Some(Vowel)),
            ("hub", Some(Consonant)),
            ("histoire", Some(Vowel)),
            ("hibiscus", None),
            ("Hermès", Some(Vowel)),
            ("Hugging Face", Some(Consonant)),
            ("« DeepSeek »", Some(Consonant)),
        ] {
            assert_eq!(onset(word), expected, "{word}");
        }
    }
}
