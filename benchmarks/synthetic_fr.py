"""The word lists of the synthetic French corpus (`search_bench.py --language fr`).

As benchmarks/synthetic.py's English: French function words at the top ranks, real content
words (accents and all) with their inflections, then a long tail of generated word-like
strings in French spelling (é, è, ê, à, ç, œ), so that folding and exact spellings are exercised.
"""

from __future__ import annotations

import random

FUNCTION_WORDS = """
le la les de des du un une et à en que qui il elle ne pas ce se sa son ses au aux pour dans sur par
est était avait a ont sont lui nous vous ils elles on mais ou où plus tout tous comme avec y me mon
ma mes leur leurs été être avoir fait dit bien sans même encore peu très trop aussi alors quand
déjà toujours jamais rien cette ces cet ceux celle après avant entre chez sous vers deux trois
""".split()

CONTENT_WORDS = """
main maison yeux nuit monde pensée tête moment lumière voix visage esprit eau chambre porte cœur
côté matin raison lettre ami mère père frère sœur enfant famille ville pays route rivière île mer
rivage bateau navire tempête vent pluie neige hiver été printemps automne champ jardin arbre forêt
colline montagne pierre mur fenêtre table chaise lit livre papier image dessin histoire mot nom
question réponse vérité promesse secret mémoire rêve espérance peur chagrin amour colère silence
bonté école maître élève leçon classe bureau travail argent pain farine huile lampe mèche phare
gardien port village rue marché boutique boulangerie cuisine feu fumée cendre horloge heure minute
année soir après-midi aube crépuscule ombre nuage ciel étoile lune soleil manteau chaussure bouton
ruban chanson musique danse jeu clôture chemin gare billet voyage retour société culpabilité fête
""".split()

VERB_STEMS = """
rappel march parl regard tourn ouvr ferm commenc attend aim cherch demand répond écout pleur
espér rêv décid promet retourn visit voyag suiv rassembl dessin peign répar nettoy cuisin lav
pli arriv quitt rest chang pouss tir appel pens trouv donn port gard lev prépar
""".split()

ADJECTIVES = """
petit grand jeune vieux calme bruyant froid chaud sombre clair doux dur lent rapide prudent
étrange familier vide plein étroit large lourd léger fatigué triste heureux seul sauvage gris
vert bleu blanc noir rouge doré argenté lointain proche tôt tard soudain certain simple inquiet
""".split()

_ONSETS = "b c d f g j l m n p r s t v br cr dr fl gr pl ch tr qu".split()
_VOWELS = "a e i o u é è ê à â ou ai eau au oi ien".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "ç", "nt", "rd", "x"]
_SUFFIXES = ["", "", "", "", "e", "es", "é", "ée", "ait", "ent", "ons", "ement", "ité"]


# The codebook of a French workspace (benchmarks/synthetic.py's THEMES: the same ids), in French.
THEMES = [
    ("hope", "Espérance", "Les personnages regardent devant eux : projets, promesses et le rêve d’une autre vie."),
    ("memory", "Mémoire", "Souvenirs gardés, lettres, dessins, vieilles chambres : le passé porté dans le présent."),
    ("friendship", "Amitié", "Loyauté, rivalité et soin entre amis ; qui reste, qui part, qui pardonne."),
    ("loss", "Perte", "Chagrin, absence et ce qui ne revient pas : la tempête, la maison vide, le silence d’après."),
    ("duty", "Devoir", "Le travail fait parce qu’il doit l’être : garder la lumière, réparer, tenir tout l’hiver."),
]


def _inflections(stem: str) -> list[str]:
    return [stem + "e", stem + "es", stem + "é", stem + "ée", stem + "ait", stem + "ons", stem + "er"]


def real_words(rng: random.Random) -> list[str]:
    content = CONTENT_WORDS + ADJECTIVES + [form for stem in VERB_STEMS for form in _inflections(stem)]
    rng.shuffle(content)
    return FUNCTION_WORDS + content


def generated_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 2, 2, 2, 3))
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    return word + rng.choice(_CODAS) + rng.choice(_SUFFIXES)
