//! The shipped glossaries on text they were not written from: each artifact in its
//! variants (elided, capitalised, wrapped, typographic apostrophe) is corrected, and
//! legitimate French that shares words with an artifact is left alone.

use std::sync::LazyLock;

use mtfix::{Rules, apply};

static RULES: LazyLock<Rules> = LazyLock::new(|| mtfix::load_rules(&[]).unwrap());

fn fix(text: &str) -> String {
    apply(&RULES, text).text.into_owned()
}

#[test]
fn every_glossary_file_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csv"))
        .collect();
    on_disk.sort();
    let embedded: Vec<&str> = mtfix::EMBEDDED.iter().map(|(name, _)| *name).collect();
    assert_eq!(on_disk, embedded);
}

#[test]
fn artifacts_are_corrected_in_their_variants() {
    let cases = [
        (
            "Les modèles de l'IA profonde de la Chine sont bon marché.",
            "Les modèles de DeepSeek de la Chine sont bon marché.",
        ),
        (
            "L’IA\nprofonde, start-up chinoise, inquiète.",
            "DeepSeek, start-up chinoise, inquiète.",
        ),
        (
            "Construit sur la profondeur-v3, il coûte peu.",
            "Construit sur DeepSeek-V3, il coûte peu.",
        ),
        (
            "Le modèle la profondeur R1 surprend.",
            "Le modèle DeepSeek-R1 surprend.",
        ),
        (
            "Selon Nvidia, la profondeur a lancé un chatbot.",
            "Selon Nvidia, DeepSeek a lancé un chatbot.",
        ),
        (
            "DEEPSEEK, deepseek et Deep Seek.",
            "DeepSeek, DeepSeek et DeepSeek.",
        ),
        ("d'Openai et d’OPENAI.", "d'OpenAI et d’OpenAI."),
        (
            "Chatgpt, chatppt, Chat GPT et chatgtp.",
            "ChatGPT, ChatGPT, ChatGPT et ChatGPT.",
        ),
        (
            "Microsoft, Meta Plateformes et Meta plates-formes.",
            "Microsoft, Meta Platforms et Meta Platforms.",
        ),
        (
            "Nvidia a connu l'automne la plus forte, avec une baisse de 17 %.",
            "Nvidia a connu drop la plus forte, avec une baisse de 17 %.",
        ),
        (
            "Le titre a subi L’automne\nla plus forte de Wall Street.",
            "Le titre a subi Drop\nla plus forte de Wall Street.",
        ),
        (
            "Trump a qualifié DeepSeek de réveiller pour l'industrie.",
            "Trump a qualifié DeepSeek de wake-up call pour l'industrie.",
        ),
        (
            "Le président a jugé ce lancement de réveiller pour la Silicon Valley.",
            "Le président a jugé ce lancement de wake-up call pour la Silicon Valley.",
        ),
        (
            "Ce processus violie les conditions.",
            "Ce processus violates les conditions.",
        ),
        (
            "Une décision d'un bureau de droit d'auteur\naméricain de 2018.",
            "Une décision d'un US Copyright Office de 2018.",
        ),
        // The seed's artifact after another article or preposition, elided.
        (
            "Les ingénieurs d'IA profonde et ceux de l'IA profonde, start-up chinoise.",
            "Les ingénieurs de DeepSeek et ceux de DeepSeek, start-up chinoise.",
        ),
        (
            "Nvidia a cédé à l’IA profonde, la start-up chinoise.",
            "Nvidia a cédé à DeepSeek, la start-up chinoise.",
        ),
        (
            "Selon Nvidia, la profondeur aurait distillé les modèles d'OpenAI.",
            "Selon Nvidia, DeepSeek aurait distillé les modèles d'OpenAI.",
        ),
        (
            "Le titre a connu l'automne de 17 % en une séance.",
            "Le titre a connu drop de 17 % en une séance.",
        ),
        // Development-half evidence (glossaries/EVIDENCE.md).
        (
            "Un cofondateur de Darwinai et de DARWINAI.",
            "Un cofondateur de DarwinAI et de DarwinAI.",
        ),
        (
            "Le groupe a subi une chute de partage de 9 %.",
            "Le groupe a subi une chute de l'action de 9 %.",
        ),
        (
            "Trump a appelé le modèle un \"réveil\" pour l'industrie américaine.",
            "Trump a appelé le modèle un \"wake-up call\" pour l'industrie américaine.",
        ),
        (
            "Il décrit le lancement comme un «\u{a0}réveil\u{a0}» pour les géants de la tech.",
            "Il décrit le lancement comme un «\u{a0}wake-up call\u{a0}» pour les géants de la tech.",
        ),
        (
            "Des fans veulent des cartes pré-libérées.",
            "Des fans veulent des cartes en précommande.",
        ),
        (
            "Tuez la princesse sort sur Steam, édité par Jeux de projets pour animaux de compagnie.",
            "Slay the Princess sort sur Steam, édité par Pet Project Games.",
        ),
        (
            "Le moyen, le jeu de Bloober Team, arrive sur PS5 avec All In! Jeux.",
            "The Medium, le jeu de Bloober Team, arrive sur PS5 avec All In! Games.",
        ),
        (
            "Emblème de feu s'engager suit Trois maisons, le précédent Emblème de feu sur Switch.",
            "Fire Emblem Engage suit Three Houses, le précédent Fire Emblem sur Switch.",
        ),
        (
            "Le prix est bas face à l'indice de casque VR de Valve.",
            "Le prix est bas face au casque VR Valve Index.",
        ),
        (
            "Valve a battu ses concurrents au poing avec cette console.",
            "Valve a pris ses concurrents de vitesse avec cette console.",
        ),
        // Development-half evidence added in the second pass (glossaries/EVIDENCE.md).
        (
            "Halo Infini sort sur XBOX SÉRIE X et Xbox Séries X|S.",
            "Halo Infinite sort sur Xbox Series X et Xbox Series X|S.",
        ),
        (
            "Le portage de La collection\nMaster Chief tourne sur le moteur d’espace de glissement.",
            "Le portage de The Master Chief Collection tourne sur le Slipspace Engine.",
        ),
        (
            "Le dernier d’entre nous partie II sort sur PS5.",
            "The Last of Us Part II sort sur PS5.",
        ),
        (
            "Fantôme de Tsushima se terminant expliqué, et la fin de Fantôme de Tsushima sur PS5.",
            "Ghost of Tsushima ending explained, et la fin de Ghost of Tsushima sur PS5.",
        ),
        (
            "Sony bat encore Microsoft au poing avec cette annonce.",
            "Sony prend encore Microsoft de vitesse avec cette annonce.",
        ),
        (
            "Selon l'ESRB, Le moyen arrive sur PS5 en septembre.",
            "Selon l'ESRB, The Medium arrive sur PS5 en septembre.",
        ),
        (
            "Le jeu a éclaté les registres des ventes sur Steam.",
            "Le jeu a battu les records de ventes sur Steam.",
        ),
        // Game titles translated word by word (glossaries/franchises.csv).
        (
            "Les joueurs de LA PORTE DE BALDUR 3 attendent la version PS5.",
            "Les joueurs de Baldur's Gate 3 attendent la version PS5.",
        ),
        (
            "Le patron d’Anneau d’Elden, un jeu de FromSoftware, parle.",
            "Le patron d’Elden Ring, un jeu de FromSoftware, parle.",
        ),
        (
            "Les héros de Surveiller\n2 arrivent.",
            "Les héros d'Overwatch 2 arrivent.",
        ),
        (
            "Les fans de Surveillance, le FPS de Blizzard, reviennent.",
            "Les fans d'Overwatch, le FPS de Blizzard, reviennent.",
        ),
        (
            "Le jeu d'action de À partir du logiciel est difficile.",
            "Le jeu d'action de FromSoftware est difficile.",
        ),
        (
            "Bungie lance Destin 2 : Garde des ombres sur Steam.",
            "Bungie lance Destiny 2 : Shadowkeep sur Steam.",
        ),
    ];
    for (artifact, corrected) in cases {
        assert_eq!(fix(artifact), corrected, "for {artifact:?}");
    }
}

#[test]
fn legitimate_french_is_left_alone() {
    let sentences = [
        "À l'automne dernier, les feuilles tombent.",
        "L'automne est ma saison préférée.",
        "À l'automne, le cours de l'action a baissé de 3 %.",
        "Les ventes de l'automne 2024 ont reculé de 5 %.",
        "Il faut se réveiller tôt.",
        "Elle a décidé de réveiller les enfants pour l'école.",
        "Il a qualifié la réunion d'utile avant de réveiller son équipe.",
        "Il a qualifié ce bruit de réveiller tout le quartier.",
        "On l'a jugé capable de réveiller les morts.",
        "Déposer une réclamation auprès du service client.",
        "Cette réclamation du client sera traitée sous huit jours.",
        "Il est à la tête de l'entreprise depuis 2019.",
        "Les sociétés à la tête du classement publient leurs comptes.",
        "Les sociétés ont blessé le joueur, touché à la tête.",
        "Une crise profonde frappe le pays.",
        "L'IA progresse dans une mer profonde de données.",
        "Le chat dort.",
        "La profondeur de la crise inquiète OpenAI.",
        "La profondeur du marché de Nvidia reste forte.",
        "Le lac atteint une profondeur de 300 mètres.",
        "Les méta plateformes de Meta Platforms et le métavers.",
        "OpenAI, DeepSeek et ChatGPT sont déjà bien écrits.",
        "Voir https://openai.com/chatgpt, press@deepseek.com, @openai et openai.com.",
        "Le bureau du droit d'auteur des États-Unis a tranché.",
        "Une violation violente.",
        // The seed's false positives (issue 18) and their families.
        "Au cours de l'automne, le cours de Nvidia a baissé.",
        "Tout au long de l'automne, les actions ont chuté de 3 %.",
        "Durant l'automne, la plus grande partie des titres a reculé de 2 %.",
        "À l'automne la plus grande partie des feuilles tombe.",
        "Depuis l'automne, l'action a perdu 12 %.",
        "Nvidia a connu l'automne le plus difficile de son histoire boursière.",
        "OpenAI mesure la profondeur, la précision et la rapidité de ses modèles.",
        "La profondeur a augmenté de deux mètres depuis le forage.",
        "Nvidia salue la profondeur de son carnet de commandes.",
        "La Commission a rejeté cette réclamation d'Apple.",
        "Le notaire reçut cette réclamation avec humeur.",
        "Bien que cette réclamation fût contestée par le baron, le tribunal l'accueillit.",
        "Bien que cette réclamation ait été contestée par les héritiers, le notaire la transmit.",
        "Bien que leur réclamation ait été contestée, ils ont été remboursés.",
        // Rules dropped or narrowed for precision (tests/precision): the artifact
        // cannot be told from these.
        "Bien que cette réclamation ait été contestée, le titre a rebondi.",
        "Les entreprises dont une femme est à la tête restent minoritaires.",
        "Les sociétés d'IA américaines à la tête, les européennes à la traîne.",
        "Le retour des touristes est un vrai réveil pour le secteur.",
        "Le réveil pour les marchés risque d'être brutal.",
        "Le moyen trouvé par Bloober Team pour survivre reste la sous-traitance.",
        "Un vendeur a été battu par un homme barre de fer au poing.",
        "Un halo infini entoure la lune.",
        "Dans le jeu, Jin devient le Fantôme de Tsushima.",
        "Le dernier d'entre nous à partir éteindra la lumière.",
        "Le caïd a battu ses rivaux couteau au poing.",
        // Ordinary senses of the development-half artifacts' words.
        "Le réveil sonne à six heures.",
        "Ce scrutin est un « réveil » démocratique pour le pays.",
        "On observe une baisse de partage des vidéos sur le réseau.",
        "Le boxeur a battu son rival au poing.",
        "Ils se sont battus au poing devant le bar.",
        "Le dragon a dit : tuez la princesse !",
        "Le moyen le plus simple de jouer reste le PC.",
        "Le moyen de contacter Bloober Team est un formulaire.",
        "Trois maisons ont été construites sur le terrain.",
        "Un emblème de feu orne le drapeau.",
        "L'indice de Valve n'a rien à voir avec l'indice boursier.",
        "Un message à @tout le monde.",
        "La firme à la pomme a publié ses résultats.",
        "Au bord de l'extinction, l'espèce est protégée.",
        "Le titre de Meta Platforms a chuté.",
        // Ordinary senses of the words of glossaries/franchises.csv.
        "Surveillance renforcée des serveurs de Blizzard après la fuite des héros.",
        "Le conseil de Surveillance de Blizzard a approuvé le plan de héros.",
        "Une caméra de Surveillance filme les joueurs de FPS.",
        "La Surveillance du territoire enquête sur le jeu de tir.",
        "Les héros de la série vivent sous Surveillance de la police.",
        "Surveiller 2 enfants devant un jeu vidéo fatigue.",
        "La Porte de Baldur est une cité des Royaumes oubliés, décor du jeu de Larian.",
        "Dans le jeu, l'Anneau d'Elden a été brisé.",
        "À partir du logiciel, on exporte les données du jeu.",
        "Il faut générer le fichier à partir du logiciel de jeu.",
        "Le Destin 2 fois contrarié des joueurs de Bungie.",
    ];
    for sentence in sentences {
        assert_eq!(fix(sentence), sentence);
    }
}

#[test]
fn shipped_glossaries_pass_their_examples_and_the_linter() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in ["test", "lint"] {
        let run = crate::mtfix(here, &["glossary", command]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(0), "glossary {command}:\n{stdout}");
        let findings = stdout
            .lines()
            .filter(|l| l.starts_with("FAIL") || l.starts_with("warning:"));
        assert_eq!(findings.count(), 0, "{stdout}");
    }
}
