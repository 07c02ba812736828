"""Probable label errors: the findings on a product's articleType, baseColour and gender.

Owns the reasoning behind ``label-error`` suggestions (``core.curation.rules.label_errors`` turns
the findings into suggestions). Zero-shot reading is weak in these models (the image's nearest
type phrase is its own 58% of the time, colour 44%), so every finding asks independent witnesses
to agree, and one of them is always the product's *name*: a person wrote it, while the stored
description is generated from the labels and would agree with a wrong one. The witnesses:

- the labels of its 10 nearest images (a k-NN vote);
- the zero-shot reading of its image: its similarity to "a photo of a {type}" / "of something
  {colour}";
- the model's image classifier (``core.model.attributes``), where the index stores its scores.
  It learned its training products' labels by heart, so on those it always agrees with the label
  and never accuses them: it only speaks for products it did not learn from;
- its name: the colour and gender words it says, and the words that the *other* products carrying
  them are labelled by (:func:`core.curation.evidence.word_readings`: "watch", "kurta", "lakme").

The findings (thresholds in ``core.curation.inputs.Rules``):

- **articleType, type by type** (mostly within a group: "Handbags" for a clutch): the image reads
  closer to another type's phrase by >= 0.10, >= 7 of its 10 nearest images carry that type and
  <= 2 its own, and its name also reads closer to that type's phrase by >= 0.10.
- **articleType, group by group** (a watch labelled "Tshirts"), where the first found nothing:
  >= 5 of its nearest images are of another merchandising group and <= 2 of its own; a word of
  its name names that group (in >= 90% of the >= 5 other products with it: "watch", "kurta",
  "lakme") more surely than any word names its own; and the image itself reads closer to that
  group: its best type phrase there beats its own type's by >= 0.05, or the image classifier
  gives the group >= 50% and its own type <= 5%. The type proposed is the commonest among those
  neighbours. Group before type, because the exact type is what zero-shot reading gets wrong
  while a misfiled product's group is unmistakable: asking one type to win every witness caught
  43% of planted cross-group errors (benchmarks/bench_label_errors.py), this finding 95%. A
  brand's name is a word like any other: it counts when the brand sells one group (Casio), not
  when 86% is all it manages (Scullers, 70 of 81 in Topwear: its scarf stays a scarf).
- **baseColour**: its name says a colour outside the label's family (never as a part: "black
  dial") and none inside it; that colour's phrase beats the label's on the image by >= 0.10; and
  >= 5 of its nearest images are of that family, or the image classifier gives the family >= 50%
  and the label's <= 10%. Multi and Unknown are never questioned. The phrase is asked first: on
  the real catalogue, the name with the other two alone questioned a cream stole with a maroon
  border and a face-pack tube.
- **gender**: its name says the other sex (Men/Boys against Women/Girls; Unisex is never
  questioned, nor is a name that says it), and the image agrees: >= 5 of its nearest images are of
  that sex and <= 2 of its own, or the image classifier gives that sex >= 50%.

Trade-off accepted: precision over recall. A product whose name is silent or generic is never
questioned, however odd its picture (the outlier rule may still show it); a type confused within
its group ("Heels" for flats) needs the zero-shot reading to name that very type.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from core.curation.evidence import (
    SEX_OF_GENDER,
    UNQUESTIONED_COLOURS,
    name_genders,
    name_says,
    neighbour_shares,
    same_family,
    word_readings,
)
from core.curation.inputs import CurationInputs, Rules
from core.data.groups import GROUP_LABELS, group_of
from core.model.embedder import normalise

Finding = tuple[int, str, float, dict]
"""(row, evidence sentence, score, details) of one questioned label."""


def classifier_probabilities(inputs: CurationInputs, attribute: str, classes: list[str]) -> np.ndarray | None:
    """(n, len(classes)) P(class | image) from the model's image classifier; NaN rows for products
    without stored scores, zeros for classes it does not know; None when there is no classifier."""
    got = inputs.image_classes.get(attribute)
    if not got:
        return None
    values, probabilities = got
    index = {v: i for i, v in enumerate(values)}
    out = np.zeros((len(inputs.meta), len(classes)), np.float32)
    for j, value in enumerate(classes):
        if value in index:
            out[:, j] = probabilities[:, index[value]]
    out[np.isnan(probabilities).any(axis=1)] = np.nan
    return out


def _column(inputs: CurationInputs, name: str) -> list[str]:
    meta = inputs.meta
    return meta[name].fillna("").astype(str).tolist() if name in meta else [""] * len(meta)


# -- articleType -----------------------------------------------------------------------------------
def type_findings(inputs: CurationInputs, rules: Rules, neighbours: np.ndarray) -> list[Finding]:
    """articleType findings: type by type (one type wins every witness), else group by group."""
    types = sorted(inputs.type_texts)
    own_types = _column(inputs, "articleType")
    if not types or any(t not in inputs.type_texts for t in own_types):
        return []
    type_index = {t: i for i, t in enumerate(types)}
    phrases = normalise(np.stack([inputs.type_texts[t] for t in types]))
    image_sims = inputs.images @ phrases.T
    own = np.array([type_index[t] for t in own_types])
    found = _by_type(inputs, rules, neighbours, types, own, image_sims, phrases)
    done = {f[0] for f in found}
    return found + [f for f in _by_group(inputs, rules, neighbours, types, own, image_sims) if f[0] not in done]


def _by_type(inputs, rules, neighbours, types, own, image_sims, phrases) -> list[Finding]:
    name_sims = inputs.names @ phrases.T
    neighbour_types = own[neighbours]
    k = neighbours.shape[1]
    out: list[Finding] = []
    for row in range(len(own)):
        sims = image_sims[row].copy()
        own_sim = float(sims[own[row]])
        sims[own[row]] = -np.inf
        best = int(np.argmax(sims))
        margin = float(sims[best]) - own_sim
        if margin < rules.type_margin:
            continue
        share_best = float(np.mean(neighbour_types[row] == best))
        share_own = float(np.mean(neighbour_types[row] == own[row]))
        name_margin = float(name_sims[row, best] - name_sims[row, own[row]])
        if (share_best < rules.type_neighbour_share or share_own > rules.own_neighbour_share_max
                or name_margin < rules.type_name_margin):
            continue
        name = inputs.meta["name"][row]
        text = (f"articleType: the image is closer to {types[best]!r} ({sims[best]:.2f}) than to its own "
                f"{types[own[row]]!r} ({own_sim:.2f}); {round(share_best * k)} of its {k} nearest images "
                f"are {types[best]}; its name {name!r} also reads closer to {types[best]!r} (+{name_margin:.2f})")
        out.append((row, text, margin, {
            "attribute": "articleType", "own": types[own[row]], "proposed": types[best],
            "margin": round(margin, 4), "neighbour_share": share_best, "name_margin": round(name_margin, 4)}))
    return out


def _by_group(inputs, rules, neighbours, types, own, image_sims) -> list[Finding]:
    meta, k = inputs.meta, neighbours.shape[1]
    row_groups = [group_of(t, s, m) for t, s, m in zip(
        _column(inputs, "articleType"), _column(inputs, "subCategory"), _column(inputs, "masterCategory"))]
    groups = sorted(set(row_groups) | {group_of(t) for t in types})
    group_index = {g: i for i, g in enumerate(groups)}
    codes = np.array([group_index[g] for g in row_groups])
    labelled: dict[int, Counter] = {}
    for g, o in zip(row_groups, own):
        labelled.setdefault(int(o), Counter())[g] += 1
    type_group = np.array([group_index[labelled[i].most_common(1)[0][0] if i in labelled else group_of(t)]
                           for i, t in enumerate(types)])
    members = np.stack([type_group == g for g in range(len(groups))], axis=1)  # (types, groups)
    group_sims = np.stack([np.where(members[:, g], image_sims, -np.inf).max(axis=1) for g in range(len(groups))], axis=1)
    classifier = classifier_probabilities(inputs, "articleType", types)
    classifier_groups = None if classifier is None else classifier @ members.astype(np.float32)
    shares = neighbour_shares(codes, neighbours, len(groups))
    readings = word_readings(meta["name"].tolist(), codes, len(groups), min_count=rules.word_min_count,
                             purity=rules.word_purity)
    out: list[Finding] = []
    for row in range(len(own)):
        mine, own_type = codes[row], own[row]
        if shares[row, mine] > rules.own_neighbour_share_max:
            continue
        others = shares[row].copy()
        others[mine] = -1.0
        group = int(np.argmax(others))
        word, own_word = readings[row].get(group), readings[row].get(mine)
        if others[group] < rules.group_neighbour_share or word is None:
            continue
        if own_word is not None and own_word[1] / own_word[2] >= word[1] / word[2]:
            continue  # the name reads its own group at least as surely
        margin = float(group_sims[row, group] - image_sims[row, own_type])
        p_group = float(classifier_groups[row, group]) if classifier_groups is not None else float("nan")
        p_own = float(classifier[row, own_type]) if classifier is not None else float("nan")
        by_classifier = p_group >= rules.classifier_share and p_own <= rules.classifier_own_max
        if margin < rules.group_margin and not by_classifier:
            continue
        in_group = [int(t) for t in own[neighbours[row]] if type_group[t] == group]
        counts = Counter(in_group)
        proposed = max(counts, key=lambda t: (counts[t], image_sims[row, t]))
        label, own_label = GROUP_LABELS.get(groups[group], groups[group]), GROUP_LABELS.get(groups[mine], groups[mine])
        listed = ", ".join(f"{types[t]} {n}" for t, n in counts.most_common(3))
        best_here = int(np.argmax(np.where(members[:, group], image_sims[row], -np.inf)))
        parts = [f"articleType: labelled {types[own_type]!r} ({own_label}) but {len(in_group)} of its {k} nearest "
                 f"images are {label} ({listed}) and {round(shares[row, mine] * k)} {own_label}",
                 f"its name {meta['name'][row]!r} has {word[0]!r}, like {word[1]} {label} of the {word[2]} "
                 f"other products whose names have it" + ("" if own_word is None else
                 f" (and {own_word[0]!r}, like {own_word[1]} {own_label} of {own_word[2]})")]
        if margin >= rules.group_margin:
            parts.append(f"the image is closer to {types[best_here]!r} ({image_sims[row, best_here]:.2f}) than to "
                         f"its own {types[own_type]!r} ({image_sims[row, own_type]:.2f})")
        if by_classifier:
            parts.append(f"the image classifier gives {label} {p_group:.0%}, {types[own_type]!r} {p_own:.0%}")
        out.append((row, "; ".join(parts), max(margin, 0.0), {
            "attribute": "articleType", "own": types[own_type], "proposed": types[proposed],
            "across_groups": [groups[mine], groups[group]], "margin": round(margin, 4),
            "neighbour_share": float(shares[row, group]), "word": word[0],
            **({"classifier": round(p_group, 4)} if by_classifier else {})}))
    return out


# -- baseColour ------------------------------------------------------------------------------------
def colour_findings(inputs: CurationInputs, rules: Rules, neighbours: np.ndarray) -> list[Finding]:
    """baseColour findings: the name says another family's colour, and the image agrees twice."""
    colours = sorted(inputs.colour_texts)
    if not colours:
        return []
    colour_index = {c: i for i, c in enumerate(colours)}
    own = np.array([colour_index.get(c, -1) for c in _column(inputs, "baseColour")])
    image_sims = inputs.images @ normalise(np.stack([inputs.colour_texts[c] for c in colours])).T
    family = np.array([[same_family(a, b) for b in colours] for a in colours])
    classifier = classifier_probabilities(inputs, "baseColour", colours)
    families = None if classifier is None else classifier @ family.T.astype(np.float32)  # P(colour's family)
    neighbour_colours = own[neighbours]
    names, k = _column(inputs, "name"), neighbours.shape[1]
    questioned = [c for c in range(len(colours)) if colours[c] not in UNQUESTIONED_COLOURS]
    out: list[Finding] = []
    for row in range(len(own)):
        mine = own[row]
        if mine < 0 or colours[mine] in UNQUESTIONED_COLOURS:
            continue
        lowered = names[row].lower()
        said = [c for c in questioned if colours[c].lower() in lowered and name_says(names[row], colours[c])]
        if not said or any(family[mine, c] for c in said):
            continue
        best: tuple | None = None
        for c in said:
            margin = float(image_sims[row, c] - image_sims[row, mine])
            share = float(np.mean([x >= 0 and family[x, c] for x in neighbour_colours[row]]))
            p = float(families[row, c]) if families is not None else float("nan")
            votes = [margin >= rules.colour_margin, share >= rules.colour_neighbour_share,
                     families is not None and p >= rules.classifier_share
                     and families[row, mine] <= rules.colour_classifier_own_max]
            if votes[0] and (votes[1] or votes[2]) and (best is None or (sum(votes), margin) > (sum(best[1]), best[2])):
                best = (c, votes, margin, share, p)
        if best is None:
            continue
        c, votes, margin, share, p = best
        parts = [f"baseColour: its name {names[row]!r} says {colours[c].lower()!r}, not {colours[mine].lower()!r}"]
        if votes[0]:
            parts.append(f"the image is closer to {colours[c]!r} ({image_sims[row, c]:.2f}) than to its own "
                         f"{colours[mine]!r} ({image_sims[row, mine]:.2f})")
        if votes[1]:
            parts.append(f"{round(share * k)} of its {k} nearest images are {colours[c].lower()}-like")
        if votes[2]:
            parts.append(f"the image classifier gives {colours[c].lower()}-like colours {p:.0%}")
        out.append((row, "; ".join(parts), max(margin, 0.0), {
            "attribute": "baseColour", "own": colours[mine], "proposed": colours[c],
            "margin": round(margin, 4), "neighbour_share": share}))
    return out


# -- gender ------------------------------------------------------------------------------------------
SEXES = ("male", "female")
SEX_WORDS = {"male": "men's or boys'", "female": "women's or girls'"}


def gender_findings(inputs: CurationInputs, rules: Rules, neighbours: np.ndarray) -> list[Finding]:
    """gender findings: the name says the other sex and the image agrees."""
    genders, names, k = _column(inputs, "gender"), _column(inputs, "name"), neighbours.shape[1]
    codes = np.array([SEXES.index(SEX_OF_GENDER[g]) if g in SEX_OF_GENDER else len(SEXES) for g in genders])
    shares = neighbour_shares(codes, neighbours, len(SEXES) + 1)
    by_gender = classifier_probabilities(inputs, "gender", list(SEX_OF_GENDER))
    classifier = None if by_gender is None else np.stack(
        [by_gender[:, [SEX_OF_GENDER[g] == sex for g in SEX_OF_GENDER]].sum(axis=1) for sex in SEXES], axis=1)
    out: list[Finding] = []
    for row, gender in enumerate(genders):
        if gender not in SEX_OF_GENDER:
            continue
        said = name_genders(names[row])
        sexes = {SEX_OF_GENDER[g] for g in said if g in SEX_OF_GENDER}
        if "Unisex" in said or len(sexes) != 1 or SEX_OF_GENDER[gender] in sexes:
            continue
        other, mine = SEXES.index(next(iter(sexes))), codes[row]
        by_neighbours = shares[row, other] >= rules.gender_neighbour_share and shares[row, mine] <= rules.own_neighbour_share_max
        p = float(classifier[row, other]) if classifier is not None else float("nan")
        if not by_neighbours and not p >= rules.classifier_share:
            continue
        proposed = next(g for g in said if SEX_OF_GENDER.get(g) == SEXES[other])
        parts = [f"gender: labelled {gender!r} but its name {names[row]!r} says {proposed!r}"]
        if by_neighbours:
            parts.append(f"{round(shares[row, other] * k)} of its {k} nearest images are {SEX_WORDS[SEXES[other]]} "
                         f"products and {round(shares[row, mine] * k)} {SEX_WORDS[SEXES[mine]]}")
        if p >= rules.classifier_share:
            parts.append(f"the image classifier gives {SEX_WORDS[SEXES[other]]} {p:.0%}")
        score = max(float(shares[row, other] - shares[row, mine]), (2 * p - 1) if p == p else -1.0)
        out.append((row, "; ".join(parts), score, {
            "attribute": "gender", "own": gender, "proposed": proposed,
            "neighbour_share": float(shares[row, other]), **({"classifier": round(p, 4)} if p == p else {})}))
    return out
