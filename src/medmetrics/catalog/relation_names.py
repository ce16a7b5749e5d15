"""The names relation corpora give their classes, which models write instead of the class codes.

One list, used twice: the ``chemprot`` and ``ddi`` tasks pass it to the ``label`` parser as
synonyms (they count in every tier), and the ``label`` parser knows the positive classes' names
on its own, as weak synonyms (answer position only), whenever a label set declares those codes,
so "ANTAGONIST" reads as ``CPR:6`` even without the task.
"""

from __future__ import annotations

#: ChemProt's relation names (BioCreative VI guidelines) grouped as the evaluated CPR classes.
#: CPR:7's "MODULATOR-ACTIVATOR/-INHIBITOR" is scored as false (BLURB keeps only CPR:3/4/5/6/9)
#: and is listed so that its "ACTIVATOR"/"INHIBITOR" part is not read as CPR:3/CPR:4. Bare
#: "REGULATOR", "MODULATOR", "COFACTOR" and "PART-OF" are not listed: they are common words in prose.
CHEMPROT_NAMES: dict[str, list[str]] = {
    "CPR:3": ["ACTIVATOR", "UPREGULATOR", "INDIRECT-UPREGULATOR"],
    "CPR:4": ["INHIBITOR", "DOWNREGULATOR", "INDIRECT-DOWNREGULATOR"],
    "CPR:5": ["AGONIST", "AGONIST-ACTIVATOR", "AGONIST-INHIBITOR"],
    "CPR:6": ["ANTAGONIST"],
    "CPR:9": ["SUBSTRATE", "PRODUCT-OF", "SUBSTRATE_PRODUCT-OF"],
    "false": ["no relation", "no relationship", "none", "MODULATOR-ACTIVATOR", "MODULATOR-INHIBITOR"],
}
#: DDI-2013's type names. "advice" is the noun models write for "advise"; "interaction" is not a
#: name of DDI-int: every positive class is an interaction and the word fills every explanation.
DDI_NAMES: dict[str, list[str]] = {
    "DDI-mechanism": ["mechanism"],
    "DDI-effect": ["effect"],
    "DDI-advise": ["advise", "advice"],
    "DDI-int": ["int"],
    "DDI-false": ["false", "no interaction", "none"],
}
#: The positive classes' names: distinctive codes, so the label parser may know them unasked.
#: (The negative classes' names, "none", "false", belong to many label sets, so only the tasks
#: pass them.)
POSITIVE_CLASS_NAMES: dict[str, list[str]] = {
    code: names for table in (CHEMPROT_NAMES, DDI_NAMES) for code, names in table.items()
    if code not in ("false", "DDI-false")
}
