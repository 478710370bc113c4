//! The words of the demo world: brands, people, and what they write. Templates carry `{b}`
//! (the brand as written in a post: name, @handle or #hashtag) and `{p}` (a product).

/// A brand of the demo world and the ways people write it.
pub struct DemoBrand {
    pub name: &'static str,
    pub handle: &'static str,
    pub hashtag: &'static str,
    /// Mentions per minute at the busiest hour of an ordinary day.
    pub peak_rate: f64,
    /// Probabilities of a negative and of a positive post; the rest is neutral.
    pub negative: f64,
    pub positive: f64,
}

/// The room's brand first, then its three competitors; the shipped `config.toml` lists the same.
pub const BRANDS: [DemoBrand; 4] = [
    DemoBrand {
        name: "Petit Loup",
        handle: "@petitloup",
        hashtag: "#PetitLoup",
        peak_rate: 3.0,
        negative: 0.15,
        positive: 0.45,
    },
    DemoBrand {
        name: "Mini Mousse",
        handle: "@minimousse",
        hashtag: "#MiniMousse",
        peak_rate: 4.0,
        negative: 0.2,
        positive: 0.4,
    },
    DemoBrand {
        name: "Bébé Cargo",
        handle: "@bebecargo",
        hashtag: "#BebeCargo",
        peak_rate: 2.2,
        negative: 0.22,
        positive: 0.35,
    },
    DemoBrand {
        name: "Koala & Co",
        handle: "@koalaandco",
        hashtag: "#KoalaAndCo",
        peak_rate: 1.6,
        negative: 0.18,
        positive: 0.42,
    },
];

pub const PRODUCTS_FR: &[&str] = &[
    "la doudoune",
    "le pyjama",
    "les bodies",
    "la salopette",
    "le ciré jaune",
    "les chaussons",
    "la nouvelle collection",
    "le gilet en laine",
    "les baskets",
    "la robe à fleurs",
];

pub const PRODUCTS_EN: &[&str] = &[
    "the puffer jacket",
    "the pyjamas",
    "the onesies",
    "the dungarees",
    "the yellow raincoat",
    "the slippers",
    "the new collection",
    "the wool cardigan",
    "the sneakers",
    "the flower dress",
];

pub const POSITIVE_FR: &[&str] = &[
    "J'adore {p} de chez {b}, super douce et solide 😍",
    "{p} {b} a survécu à trois enfants, franchement top 👍",
    "Livraison rapide et {p} parfaite, merci {b} !",
    "Très contente de {p} achetée chez {b}, ma fille ne la quitte plus ❤️",
    "Les vendeuses de {b} à Lyon sont adorables, excellent accueil",
    "{b} reste ma marque préférée pour les petits, qualité impeccable",
    "Belle surprise : {p} de {b} taille bien et les couleurs sont magnifiques",
    "Bravo {b} pour les matières bio, c'est génial",
    "Trop bien {p} {b}, mon fils est ravi 😂",
    "Superbe rapport qualité prix chez {b}, je recommande",
];

pub const NEGATIVE_FR: &[&str] = &[
    "Commande {b} toujours pas arrivée après deux semaines, service client injoignable 😡",
    "{p} de {b} déjà trouée après un lavage, très déçue",
    "Remboursement refusé par {b}, c'est honteux",
    "Franchement {b} c'est de pire en pire, qualité nulle",
    "{p} {b} trop petite et retour payant, arnaque",
    "Attente interminable en caisse chez {b}, horrible",
    "Je ne recommande pas {b}, {p} a déteint sur tout le linge",
    "Prix en hausse chez {b} et qualité en baisse, décevant",
];

pub const NEUTRAL_FR: &[&str] = &[
    "Quelqu'un sait si {b} fait des soldes ce week-end ?",
    "{b} ouvre un magasin à Nantes le mois prochain",
    "Vous prenez quelle taille pour {p} {b} à 3 ans ?",
    "En train de comparer {p} chez {b} et ailleurs",
    "{b} annonce {p} en précommande",
    "Passage chez {b} cet après-midi pour la rentrée",
    "Le catalogue {b} de l'hiver est en ligne",
];

pub const POSITIVE_EN: &[&str] = &[
    "Love {p} from {b}, so soft and it lasts 😍",
    "{b} customer service was great, quick refund and a kind note 👍",
    "Really happy with {p} from {b}, highly recommend",
    "{b} nailed it with {p}, my kids adore it",
    "Great quality from {b} as always ❤️",
    "Impressed by {b}'s organic cotton range, beautiful colours",
];

pub const NEGATIVE_EN: &[&str] = &[
    "{b} order still not here after two weeks, terrible support 😡",
    "{p} from {b} fell apart after one wash, so disappointed",
    "Never buying from {b} again, awful quality",
    "{b} refused my return, what a scam",
    "Prices up and quality down at {b}, really bad",
];

pub const NEUTRAL_EN: &[&str] = &[
    "Does anyone know if {b} ships to Belgium?",
    "{b} is opening a store in Brussels next month",
    "Which size of {p} from {b} for a 2 year old?",
    "{b} just posted their winter catalogue",
];

/// Morning of the scenario day: the in-store poster campaign is launched and well received.
pub const CAMPAIGN_FR: &[&str] = &[
    "Les nouvelles affiches {b} en magasin sont très jolies, belle campagne 👏",
    "Campagne d'affichage {b} repérée au centre commercial, sympa les couleurs",
    "{b} lance sa campagne d'automne en magasin, j'aime beaucoup le style",
    "Nouvelle campagne {b} : affiches partout à Paris",
];

/// The crisis: posts criticising the posters as glorifying too-thin silhouettes.
pub const BACKLASH_FR: &[&str] = &[
    "Les affiches {b} montrent des enfants beaucoup trop maigres, c'est choquant 😡",
    "Glorifier des silhouettes trop minces chez des enfants, honte à {b}",
    "Je boycotte {b} tant que ces affiches horribles restent en magasin",
    "Mais qui a validé cette campagne {b} ? Des gamines squelettiques, c'est dangereux",
    "{b} retirez ces affiches, c'est grave et irresponsable",
    "Scandale des affiches {b} : triste de voir ça pour des enfants",
    "Franchement déçue par {b}, ces affiches sont malsaines",
    "Des mannequins enfants aussi maigres chez {b}, inacceptable 🤬",
    "RT : les affiches {b} sont une honte, partagez",
];

pub const BACKLASH_EN: &[&str] = &[
    "The new {b} posters show dangerously thin kids, this is disgusting",
    "Shame on {b} for glorifying skinny silhouettes in a kids campaign 😡",
    "Boycotting {b} until those awful posters come down",
    "Who approved the {b} posters? Terrible message for children",
];

/// After the brand answers: relief, and some who stay unconvinced.
pub const AFTERMATH_FR: &[&str] = &[
    "Bravo {b} d'avoir retiré les affiches si vite, merci de nous avoir écoutés 👏",
    "Bonne réaction de {b}, des excuses sincères, ça fait plaisir",
    "{b} retire sa campagne : bien joué, c'est la bonne décision",
    "Excuses de {b} acceptées, on reste clientes ❤️",
    "Trop tard {b}, le mal est fait, toujours déçue",
];

pub const PRESS_FR: &[&str] = &[
    "Polémique : {b} accusé de promouvoir la maigreur avec sa campagne d'affiches",
    "Bad buzz pour {b} : les affiches de la campagne font scandale sur les réseaux",
    "{b} retire sa campagne après la polémique sur les silhouettes des enfants",
];

/// The post that starts the crisis.
pub const VIRAL_POST: &str = "Les nouvelles affiches @petitloup en magasin : des petites filles \
    maigres à faire peur. Glorifier des silhouettes trop minces dès 6 ans, sérieusement ? \
    C'est honteux et dangereux. #PetitLoup";

/// The brand's answer.
pub const BRAND_ANSWER: &str = "Nous avons entendu vos messages et nous vous présentons nos \
    sincères excuses. Les affiches sont retirées de tous nos magasins dès aujourd'hui, merci \
    de nous avoir alertés. #PetitLoup";

/// The brand's account answering a complaint or a question (`{h}` the author's handle, `{n}`
/// their first name). Signed, as care teams do, so the answers name the brand.
pub const CARE_HELP_FR: &[&str] = &[
    "{h} Bonjour {n}, désolés pour ce souci ! Écrivez-nous en message privé avec votre numéro \
     de commande, on s'en occupe. L'équipe Petit Loup",
    "{h} Bonjour {n}, merci de nous l'avoir signalé. Notre service client vous recontacte \
     aujourd'hui. L'équipe Petit Loup",
    "{h} Bonjour {n}, pouvez-vous nous donner plus de détails en message privé ? Nous allons \
     trouver une solution. L'équipe Petit Loup",
];

pub const CARE_HELP_EN: &[&str] = &[
    "{h} Hi {n}, sorry about this! Please send us a direct message with your order number and \
     we will sort it out. The Petit Loup team",
    "{h} Hi {n}, thanks for letting us know, our care team will get back to you today. The \
     Petit Loup team",
];

pub const CARE_THANKS_FR: &[&str] = &[
    "{h} Merci beaucoup {n}, ça nous fait très plaisir ! L'équipe Petit Loup",
    "{h} Merci {n} pour ce joli message, à bientôt en magasin ! L'équipe Petit Loup",
];

pub const CARE_THANKS_EN: &[&str] = &["{h} Thank you so much {n}! The Petit Loup team"];

/// Posts that contain a brand's words without being about it: the matcher must not count them.
pub const LOOKALIKES: &[&str] = &[
    "Au parc animalier, un petit loup dormait au soleil, magnifique",
    "Lecture du soir : le petit loup qui avait peur du noir 📚",
    "Reportage : un koala et ses petits au zoo de Beauval",
];

pub const FIRST_NAMES_FR: &[&str] = &[
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Julie",
    "Sarah",
    "Emma",
    "Hugo",
    "Lucas",
    "Thomas",
    "Nathan",
    "Élodie",
    "Aurélie",
    "Mathilde",
    "Karim",
    "Sophie",
    "Claire",
    "Yanis",
    "Océane",
    "Maëlle",
    "François",
    "Hélène",
    "Noémie",
];

pub const FIRST_NAMES_EN: &[&str] = &[
    "Emily", "Olivia", "Jack", "Harry", "Sophie", "Grace", "Liam", "Noah", "Chloe", "Amelia",
    "James", "Ella",
];

pub const SURNAMES: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel",
    "Garcia", "Roux", "Fournier", "Smith", "Jones", "Taylor", "Brown",
];

pub const PRESS_OUTLETS: &[(&str, &str)] = &[
    ("lemagdesparents", "Le Mag des Parents"),
    ("modeetenfance", "Mode & Enfance"),
    ("info_conso", "Info Conso"),
    ("retailnews_fr", "Retail News France"),
];
