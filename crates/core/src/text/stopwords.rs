//! Words that say nothing about what a conversation is about: French and English function
//! words, the most common verbs and adverbs of social posts, and web debris. Folded (lower case,
//! no accents), as `text::fold` writes them. Trending terms and spike explanations skip them.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

const FRENCH: &str = "
a ai aie aient aies ait alors as au aucun aucune aupres aura aurai auraient aurais aurait
auras aurez auriez aurons auront aussi autre autres aux avaient avais avait avant avec avez
aviez avions avoir avons ayant ayez ayons bah bcp beaucoup bien bon bref c ca car ce ceci cela
celle celles celui cependant ces cet cette ceux chaque chez ci comme comment d dans de deja
depuis des deux devant doit donc dont du elle elles en encore entre es est et etaient etais
etait etant ete etes etiez etions etre eu eue eues eurent eus eusse eut faire fais fait faut
fois font hui il ils j je jusqu l la le les leur leurs lui m ma mais me meme memes mes moi mon
n ne ni non nos notre nous on ont ou par parce pas peu peut peux plus pour pourquoi qu quand
que quel quelle quelles quels qui quoi s sa sans se sera serai seraient serais serait seras
serez seriez serons seront ses si sien soi soient sois soit sommes son sont sous suis sur t ta
tant te tes toi ton toujours tous tout toute toutes tres trop tu un une va vais vers via voila
vont vos votre vous vraiment y
";

const ENGLISH: &str = "
a about after again all also am an and any are as at be because been before being but by can
could did do does doing done don down during each even every few for from get got had has have
having he her here hers him his how i if im in into is it its just like me more most my no nor
not now of off on once only or other our ours out over own really same she should so some such
than that thats the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours
";

const WEB: &str = "
amp com fr http https rt www
";

fn set() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        [FRENCH, ENGLISH, WEB]
            .iter()
            .flat_map(|list| list.split_whitespace())
            .collect()
    })
}

/// Every stopword.
pub fn all() -> impl Iterator<Item = &'static str> {
    set().iter().copied()
}

/// True for a folded word that carries no topic.
pub fn is_stopword(folded_word: &str) -> bool {
    set().contains(folded_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_of_both_languages_are_stopwords_and_content_words_are_not() {
        for word in ["les", "tres", "etait", "the", "because", "https"] {
            assert!(is_stopword(word), "{word}");
        }
        for word in ["affiches", "maigres", "boycott", "posters", "livraison"] {
            assert!(!is_stopword(word), "{word}");
        }
    }
}
