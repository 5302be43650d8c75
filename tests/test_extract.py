"""Control changes from sentence structure: who took which place, when, on whose word."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.articles import parse_article
from dashboard.extract import UNDATED_NOTE, extract_changes, find_verbs, ingest, sentences
from dashboard.factions import FactionSet, load_factions
from dashboard.gazetteer import Gazetteer, load_gazetteer

FIXTURES = Path(__file__).parent / "devset" / "fixtures"
MONDAY = dt.date(2024, 12, 2)
D = dt.date


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(FIXTURES / "places.yaml")


@pytest.fixture(scope="module")
def factions() -> FactionSet:
    return load_factions(FIXTURES / "factions.yaml")


def changes(text: str, gazetteer: Gazetteer, factions: FactionSet,
            published: dt.date = MONDAY) -> list[tuple[str, str | None, str, dt.date]]:
    article = parse_article(text, published=published, file="test-report.txt", outlet="Test Wire")
    return [(c.place, c.faction, c.kind, c.date) for c in extract_changes(article, gazetteer, factions)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # actions, active voice
        ("HTS captured Saraqib on Friday.", [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("The SNA seized Manbij on Sunday.", [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("HTS took control of Saraqib yesterday.", [("saraqib", "hts", "captured", D(2024, 12, 1))]),
        ("The SDF took over Deir ez-Zor on Dec. 1.", [("deir-ez-zor", "sdf", "captured", D(2024, 12, 1))]),
        ("Islamist-led rebels overran Rastan last night.", [("rastan", "hts", "captured", D(2024, 12, 1))]),
        ("Government forces recaptured Suran on Saturday.",
         [("suran", "government", "captured", D(2024, 11, 30))]),
        ("The army retook Saraqib on Sunday.", [("saraqib", "government", "captured", D(2024, 12, 1))]),
        ("HTS took Khan Sheikhun on Saturday.", [("khan-sheikhun", "hts", "captured", D(2024, 11, 30))]),
        # lists
        ("HTS has taken dozens of towns, including Khan Sheikhun and Maaret al-Numan, on Saturday.",
         [("khan-sheikhun", "hts", "captured", D(2024, 11, 30)),
          ("maaret-al-numan", "hts", "captured", D(2024, 11, 30))]),
        ("The SNA captured al-Bab, Manbij and Tal Rifaat on Sunday.",
         [("al-bab", "sna", "captured", D(2024, 12, 1)), ("manbij", "sna", "captured", D(2024, 12, 1)),
          ("tal-rifaat", "sna", "captured", D(2024, 12, 1))]),
        # passive voice and nominal-like forms
        ("Homs fell to HTS on Saturday.", [("homs", "hts", "captured", D(2024, 11, 30))]),
        ("Saraqib was captured by HTS on Friday.", [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("Manbij came under the control of the SNA on Sunday.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        # losing, leaving, handing over
        ("The SDF withdrew from Tal Rifaat on Sunday.", [("tal-rifaat", None, "withdrew", D(2024, 12, 1))]),
        ("The SDF lost Manbij to the SNA on Sunday.", [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("The SDF handed over Deir ez-Zor to HTS on Sunday.",
         [("deir-ez-zor", "hts", "captured", D(2024, 12, 1))]),
        ("Turkish-backed groups drove Kurdish forces out of Manbij on Sunday.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        # partial control and entry without control
        ("HTS took most of Aleppo on Saturday.", [("aleppo", "hts", "captured_partial", D(2024, 11, 30))]),
        ("HTS took over Aleppo city on Saturday, barring neighbourhoods held by Kurdish forces.",
         [("aleppo", "hts", "captured_partial", D(2024, 11, 30))]),
        ("HTS entered Hama on Sunday.", [("hama", "hts", "entered", D(2024, 12, 1))]),
        ("HTS stormed into Hama on Sunday.", [("hama", "hts", "entered", D(2024, 12, 1))]),
        ("HTS captured the outskirts of Hama on Sunday.", [("hama", "hts", "entered", D(2024, 12, 1))]),
        # pronoun subjects
        ("Turkish-backed factions attacked Kurdish fighters on Sunday, and the Observatory said they seized "
         "Tal Rifaat.", [("tal-rifaat", "sna", "captured", D(2024, 12, 1))]),
        # state changes, pronoun objects, withdrawal with an object, the city around the places meant
        ("The town of Saraqib is now in the hands of HTS, the monitor said.",
         [("saraqib", "hts", "captured", MONDAY)]),
        ("The SDF pulled out of Manbij on Sunday and handed it over to the SNA.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("The army withdrew its troops from Rastan on Sunday.",
         [("rastan", None, "withdrew", D(2024, 12, 1))]),
        ("HTS seized the Aleppo districts of New Aleppo on Sunday.",
         [("new-aleppo", "hts", "captured", D(2024, 12, 1))]),
        ("HTS secured Saraqib on Friday.", [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("Rebels entered Saraqib on Sunday, a town government forces drove them out of in 2020.",
         [("saraqib", "opposition", "entered", D(2024, 12, 1))]),
        ("HTS announced the capture of Saraqib on Friday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("Manbij had been handed over to the SNA on Sunday.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("The army pulled out of Daraa on Friday, and elders handed the city to southern rebels.",
         [("daraa", "southern", "captured", D(2024, 11, 29))]),
        ("The army said on Thursday it had redeployed its forces outside Hama.",
         [("hama", None, "withdrew", D(2024, 11, 28))]),
        ("The army said on Thursday it had left Hama. HTS announced the conquest of Hama.",
         [("hama", "hts", "captured", D(2024, 11, 28))]),
        # storming a place takes it; storming into it is an entry
        ("SNA units stormed Manbij on Sunday.", [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("HTS was storming the town of Rastan on Sunday.", [("rastan", "hts", "captured", D(2024, 12, 1))]),
        ("The SDF stormed into Deir ez-Zor yesterday.", [("deir-ez-zor", "sdf", "entered", D(2024, 12, 1))]),
        # control imposed or held now
        ("The SNA imposed its control on Tal Rifaat on Sunday.",
         [("tal-rifaat", "sna", "captured", D(2024, 12, 1))]),
        ("HTS established full control over Saraqib on Friday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("HTS fighters are now in full control of Khan Sheikhun, the monitor said.",
         [("khan-sheikhun", "hts", "captured", MONDAY)]),
        # nominal and loose withdrawals
        ("The army carried out a redeployment from Rastan and Suran on Friday.",
         [("rastan", None, "withdrew", D(2024, 11, 29)), ("suran", None, "withdrew", D(2024, 11, 29))]),
        ("Kurdish forces completed their withdrawal from Tal Rifaat on Sunday.",
         [("tal-rifaat", None, "withdrew", D(2024, 12, 1))]),
        # plain "soldiers", "an army brigade" are the state's forces
        ("Soldiers were redeploying and taking up new positions outside Homs on Sunday.",
         [("homs", None, "withdrew", D(2024, 12, 1))]),
        ("The army said on Sunday its units were redeploying and digging in outside Homs.",
         [("homs", None, "withdrew", D(2024, 12, 1))]),
        # "the city", "it", "they" refer back across sentences
        ("HTS reached the edge of Hama on Saturday. On Sunday its fighters entered the city.",
         [("hama", "hts", "entered", D(2024, 12, 1))]),
        ("Government troops held Manbij for years. The SNA took it on Sunday.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("The SNA massed fighters near Tal Rifaat. On Sunday they seized Manbij.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        ("Air raids hit Rastan on Friday. The town fell to HTS on Saturday.",
         [("rastan", "hts", "captured", D(2024, 11, 30))]),
        ("HTS seized the New Aleppo district on Friday. The city itself was not yet taken, and on Saturday "
         "the fighters entered the city.", [("new-aleppo", "hts", "captured", D(2024, 11, 29)),
                                             ("aleppo", "hts", "entered", D(2024, 11, 30))]),
        ("Southern rebels rose up across Daraa province. On Friday they seized the provincial capital.",
         [("daraa", "southern", "captured", D(2024, 11, 29))]),
        # plural objects and relative clauses
        # (left on one day, taken the next: the place stood empty in between, so both are recorded)
        ("The army abandoned Saraqib and Rastan on Saturday, and HTS took them over a day later.",
         [("saraqib", None, "withdrew", D(2024, 11, 30)), ("rastan", None, "withdrew", D(2024, 11, 30)),
          ("saraqib", "hts", "captured", D(2024, 12, 1)), ("rastan", "hts", "captured", D(2024, 12, 1))]),
        # "by <time> held" is a change; "held" alone, or "X-held", a state
        ("HTS entered Aleppo on Friday and by Saturday held most of the city.",
         [("aleppo", "hts", "entered", D(2024, 11, 29)),
          ("aleppo", "hts", "captured_partial", D(2024, 11, 30))]),
        ("By Sunday evening the SNA controlled Tal Rifaat.",
         [("tal-rifaat", "sna", "captured", D(2024, 12, 1))]),
        # participles: "captured by X" is passive; "abandoned by X" names no place left
        ("Rebels celebrated in Saraqib, captured by HTS on Friday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("The SDF took over posts abandoned by government forces on Sunday, including the town of Manbij.",
         [("manbij", "sdf", "captured", D(2024, 12, 1))]),
        # the place that sets the scene is the one surrendered or left
        ("In Rastan, an army brigade surrendered to HTS on Sunday.",
         [("rastan", "hts", "captured", D(2024, 12, 1))]),
        # consolidating a hold on a place reports holding it
        ("The SNA consolidated its hold on Tal Rifaat on Sunday.",
         [("tal-rifaat", "sna", "captured", D(2024, 12, 1))]),
        # driven out in the passive: the subject lost, the "by" side took it
        ("Government forces were driven out of Hama by HTS on Thursday.",
         [("hama", "hts", "captured", D(2024, 11, 28))]),
        ("Kurdish fighters were pushed out of Tal Rifaat on Sunday.",
         [("tal-rifaat", None, "withdrew", D(2024, 12, 1))]),
        # redeploying from a place leaves it; "lost to X" names the taker; a present-tense holder
        ("The army redeployed its units from Daraa on Friday.",
         [("daraa", None, "withdrew", D(2024, 11, 29))]),
        ("Hama was lost to HTS on Thursday.", [("hama", "hts", "captured", D(2024, 11, 28))]),
        ("Saraqib is in the hands of HTS, the monitor said.", [("saraqib", "hts", "captured", MONDAY)]),
        # "SDF fighters", "HTS troops" are that side's; "the department": the side named before so
        ("HTS troops captured Saraqib on Friday.", [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("Kurdish-led SDF fighters took over Deir ez-Zor on Friday.",
         [("deir-ez-zor", "sdf", "captured", D(2024, 11, 29))]),
        ("Fighters of the Military Operations Command entered Aleppo on Friday. On Saturday the command "
         "announced the liberation of Saraqib.", [("aleppo", "hts", "entered", D(2024, 11, 29)),
                                                  ("saraqib", "hts", "captured", D(2024, 11, 30))]),
        # control taken with no object named: of the place the sentence is about; "the desert city"
        ("Rastan: the army withdrew on Friday; HTS fighters took control.",
         [("rastan", "hts", "captured", D(2024, 11, 29))]),
        ("Saraqib: HTS said on Saturday it had captured the strategic town.",
         [("saraqib", "hts", "captured", D(2024, 11, 30))]),
        # leaving "all their positions in X" leaves X
        ("Government forces withdrew from all their positions in the city of Hama on Thursday.",
         [("hama", None, "withdrew", D(2024, 11, 28))]),
        # a date past a clause break belongs to that clause, not to the verb before it
        ("By Saturday HTS held Saraqib, which the army had retaken in 2020.",
         [("saraqib", "hts", "captured", D(2024, 11, 30))]),
        # leaving most of a place is not leaving it
        ("Kurdish-led forces withdrew from most of Manbij on Sunday.", []),
        ("Crowds gathered in Saraqib, which HTS fighters had captured on Friday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29))]),
        ("HTS is now in full control of Khan Sheikhun in southern Idlib province, which it entered on "
         "Sunday.", [("khan-sheikhun", "hts", "captured", MONDAY),
                     ("khan-sheikhun", "hts", "entered", D(2024, 12, 1))]),
        # "anti-X forces" are the other side
        ("Anti-government forces overran Rastan on Sunday.",
         [("rastan", "opposition", "captured", D(2024, 12, 1))]),
        # a headline's loose verb yields to the body's own account
        ("Rebels storm Hama\n\nHTS fighters entered Hama on Sunday, the monitor said.",
         [("hama", "hts", "entered", D(2024, 12, 1))]),
        # places that only locate the captured one are not captured
        ("HTS captured Saraqib, near Idlib, and Rastan north of Homs on Friday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29)), ("rastan", "hts", "captured", D(2024, 11, 29))]),
        ("HTS took Khan Sheikhun, halfway between Aleppo and Hama, on Saturday.",
         [("khan-sheikhun", "hts", "captured", D(2024, 11, 30))]),
        # passive subjects: coordinated, past an aside, not the place inside the aside
        ("Maaret al-Numan and Khan Sheikhun, two towns on the highway in southern Idlib, have fallen to HTS "
         "on Sunday.", [("maaret-al-numan", "hts", "captured", D(2024, 12, 1)),
                     ("khan-sheikhun", "hts", "captured", D(2024, 12, 1))]),
        ("Hama, which had resisted assaults in 2017, fell to HTS on Thursday.",
         [("hama", "hts", "captured", D(2024, 11, 28))]),
        ("The town of Saraqib is now in the hands of HTS, the monitor said on Sunday.",
         [("saraqib", "hts", "captured", D(2024, 12, 1))]),
        # an agentless passive: the side of the change told just before
        ("HTS seized Saraqib on Friday. The city of Rastan was taken without a fight on Saturday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29)), ("rastan", "hts", "captured", D(2024, 11, 30))]),
        # "under rebel control", "in their hands", "now control"
        ("Rastan and Homs are now under rebel control, activists said on Sunday.",
         [("rastan", "opposition", "captured", D(2024, 12, 1)),
          ("homs", "opposition", "captured", D(2024, 12, 1))]),
        ("The SDF attacked Manbij on Saturday. On Sunday the town of Manbij was in their hands.",
         [("manbij", "sdf", "captured", D(2024, 12, 1))]),
        ("Rebels say on Sunday they now control most of Aleppo.",
         [("aleppo", "opposition", "captured_partial", D(2024, 12, 1))]),
        ("By 30 November, the rebels held most of Aleppo.",
         [("aleppo", "opposition", "captured_partial", D(2024, 11, 30))]),
        # ellipsis: the verb of the change before, again
        ("HTS captured Saraqib on Sunday. Rastan was next.",
         [("saraqib", "hts", "captured", D(2024, 12, 1)), ("rastan", "hts", "captured", D(2024, 12, 1))]),
        ("HTS took Hama on Thursday. Homs followed two days later.",
         [("hama", "hts", "captured", D(2024, 11, 28)), ("homs", "hts", "captured", D(2024, 11, 30))]),
        ("HTS captured Saraqib on Sunday, followed by Rastan.",
         [("saraqib", "hts", "captured", D(2024, 12, 1)), ("rastan", "hts", "captured", D(2024, 12, 1))]),
        ("HTS took Saraqib on Sunday. Hama is next, its leader said.",  # an aim, not an ellipsis
         [("saraqib", "hts", "captured", D(2024, 12, 1))]),
        ("The SNA entered Manbij on Sunday. Al-Bab followed.",
         [("manbij", "sna", "entered", D(2024, 12, 1)), ("al-bab", "sna", "entered", D(2024, 12, 1))]),
        # a side's own statement; "completed the liberation of"
        ("Statement of Hayat Tahrir al-Sham\n\nOur forces liberated the city of Rastan at dawn on Saturday.",
         [("rastan", "hts", "captured", D(2024, 11, 30))]),
        ("HTS completed the liberation of Rastan on Sunday.",
         [("rastan", "hts", "captured", D(2024, 12, 1))]),
        # speakers' side: "Kurdish officials said their forces"
        ("Kurdish officials said their forces had pulled out of Manbij on Sunday.",
         [("manbij", None, "withdrew", D(2024, 12, 1))]),
        # intransitive withdrawal and entry: the place in view
        ("HTS entered Manbij on Sunday and took control of it hours after the SDF withdrew.",
         [("manbij", "hts", "captured", D(2024, 12, 1))]),
        ("Manbij changed hands on Sunday. SNA fighters moved in after the SDF withdrew from the town.",
         [("manbij", "sna", "entered", MONDAY)]),
        # a relative clause with its own subject takes the coordinated places before it
        ("Anti-regime groups attacked on Friday. Regime forces withdrew from their positions at Saraqib and "
         "Rastan on Saturday, which the groups then took over.",
         [("saraqib", "opposition", "captured", D(2024, 11, 30)),
          ("rastan", "opposition", "captured", D(2024, 11, 30))]),
        # a headline's strong verb over the body's entry of the same side
        ("Insurgents seize Damascus\n\nRebels swept into Damascus on Sunday, the monitor said.",
         [("damascus", "opposition", "captured", D(2024, 12, 1))]),
        # title-case headlines read like sentences
        ("Syrian Rebels Capture Hama After Army Pulls Out\n\nFighting continued.",
         [("hama", "opposition", "captured", MONDAY)]),
        ("Turkish-Backed Groups Take Tal Rifaat From Kurdish Forces\n\nFighting continued.",
         [("tal-rifaat", "sna", "captured", MONDAY)]),
        ("Hama Falls To HTS-Led Rebels\n\nFighting continued.", [("hama", "hts", "captured", MONDAY)]),
        ("Rebels Enter Homs, Army Says\n\nFighting continued.", [("homs", "opposition", "entered", MONDAY)]),
        ("Kurdish-Led SDF Takes Control Of Deir Ez-Zor\n\nFighting continued.",
         [("deir-ez-zor", "sdf", "captured", MONDAY)]),
        # state media's "terrorists" are the armed opposition
        ("The army said the terrorists had entered parts of Aleppo city on Saturday.",
         [("aleppo", "opposition", "entered", D(2024, 11, 30))]),
        ("Terrorist groups seized Saraqib on Friday, a military source said.",
         [("saraqib", "opposition", "captured", D(2024, 11, 29))]),
        # Kurdish media's "occupation factions" are the SNA
        ("The occupation factions entered Tal Rifaat on Sunday.",
         [("tal-rifaat", "sna", "entered", D(2024, 12, 1))]),
        ("Turkish occupation mercenaries seized Manbij on Sunday.",
         [("manbij", "sna", "captured", D(2024, 12, 1))]),
        # the south's rebels named by region
        ("Southern rebel factions seized Daraa on Friday.",
         [("daraa", "southern", "captured", D(2024, 11, 29))]),
        ("Rebels in the south say they now control Daraa.", [("daraa", "southern", "captured", MONDAY)]),
        # "its fighters" / "their fighters" after a named side are that side's
        ("The Southern Operations Room said its fighters had taken Daraa on Sunday.",
         [("daraa", "southern", "captured", D(2024, 12, 1))]),
        ("HTS said on Sunday that rebels entered Homs. "
         "The SNA said their fighters had seized Manbij on Sunday.",
         [("homs", "hts", "entered", D(2024, 12, 1)), ("manbij", "sna", "captured", D(2024, 12, 1))]),
        # "declare X free/liberated"
        ("Rebels declare Damascus free.", [("damascus", "opposition", "captured", MONDAY)]),
        ("On Sunday HTS declared the city of Hama liberated.", [("hama", "hts", "captured", D(2024, 12, 1))]),
        # "stormed X, taking most of the town" is partial
        ("The SNA stormed Manbij on Sunday, taking most of the town.",
         [("manbij", "sna", "captured_partial", D(2024, 12, 1))]),
        # an agentless fall naming another loser is not the previous taker's story going on
        ("HTS led the offensive.\nDec. 1: Turkish-backed factions capture Tal Rifaat from Kurdish forces.\n"
         "Dec. 5: Hama falls after government troops pull out.",
         [("tal-rifaat", "sna", "captured", D(2024, 12, 1)), ("hama", "hts", "captured", D(2024, 12, 5))]),
        ("HTS led the offensive.\nDec. 1: Turkish-backed factions capture Tal Rifaat from Kurdish forces.\n"
         "Dec. 2: Manbij falls after Kurdish forces pull out.",
         [("tal-rifaat", "sna", "captured", D(2024, 12, 1)), ("manbij", "sna", "captured", D(2024, 12, 2))]),
        # a side losing what it took is a change of its own, dated apart
        ("HTS captured Saraqib on Friday but lost the town on Sunday.",
         [("saraqib", "hts", "captured", D(2024, 11, 29)), ("saraqib", None, "withdrew", D(2024, 12, 1))]),
        ("Turkish-backed factions seized Manbij on Saturday before losing it again on Sunday.",
         [("manbij", "sna", "captured", D(2024, 11, 30)), ("manbij", None, "withdrew", D(2024, 12, 1))]),
        # "the factions" after a named side's "... factions" are that side's, not the report's coalition
        ("HTS led the offensive. Turkish-backed factions attacked Manbij on Saturday. "
         "The factions seized Manbij on Sunday.", [("manbij", "sna", "captured", D(2024, 12, 1))]),
        # "announced on Thursday the full liberation of"
        ("HTS announced on Friday the full liberation of Hama.",
         [("hama", "hts", "captured", D(2024, 11, 29))]),
        # a withdrawal "overnight" before a capture in the same sentence names that capture's previous holder
        ("Rebels said they had taken full control of Homs early Monday after government forces pulled out "
         "overnight.", [("homs", "opposition", "captured", MONDAY)]),
    ],
)
def test_changes_are_extracted(text: str, expected: list[tuple[str, str | None, str, dt.date]],
                               gazetteer: Gazetteer, factions: FactionSet) -> None:
    assert changes(text, gazetteer, factions) == expected


@pytest.mark.parametrize(
    "text",
    [
        # negation, aims, hypotheticals
        "Until this weekend, the rebels were never able to take over Aleppo.",
        "HTS failed to capture Hama on Sunday.",
        "HTS did not enter Hama.",
        "HTS is seeking to seize Hama.",
        "The SNA was not seeking to capture Manbij.",
        "HTS aims to capture Homs next.",
        "The rebels could take Homs within days.",
        "HTS vowed to retake Saraqib.",
        "The SDF agreed to withdraw from Manbij.",
        # not changes: leaving for a place, falling back, a state, an attack, a handover without a taker
        "The deal allowed army officers to leave for Damascus on Friday.",
        "Army officers left for Damascus on Friday.",
        "Government troops fell back to Homs on Sunday.",
        "Hama was still in government hands on Sunday.",
        "Manbij is under Kurdish control, the monitor said on Sunday.",
        "The army said on Sunday that Hama is in government hands.",
        "Government forces remain in control of Hama, the army said on Sunday.",
        "The offensive followed months of preparation in Idlib.",
        "HTS leaders left for Damascus on Sunday.",
        "Aleppo had been in government hands since 2016.",
        "Homs came under attack on Sunday.",
        "Protests followed in Damascus on Sunday.",
        "Manbij changed hands on Sunday.",
        "Hama was next on the rebels' list, a commander said.",
        # events that are not changes of control
        "Air raids on several areas of Idlib province killed 11 civilians on Monday.",
        "Government jets struck Saraqib and shelled Rastan on Sunday.",
        "Hundreds of families were evacuated from Tal Rifaat on Sunday.",
        "The army sent reinforcements to Hama on Sunday.",
        "HTS fighters pushed into Hama province on Sunday.",  # an advance into a province is not a capture
        "Kurdish fighters still held Tal Rifaat.",
        # "declare" without a place freed, and "its fighters" with no place taken
        "Rebels declared a curfew in Damascus on Sunday.",
        "The SNA said its fighters had shelled Manbij on Sunday.",
        # the future is not news
        "The SDF said its forces will withdraw from Manbij.",
        "Our forces will leave Manbij as soon as possible, the SDF said.",
        # history is not news
        "Government forces retook Aleppo in 2016.",
        "Rebels were driven out of the city's east in 2016, near Aleppo.",
        "In early 2020 the army recaptured Saraqib and Maaret al-Numan.",
        # metonymy and faction names are not places
        "HTS captured a Damascus ally's depot on Sunday.",
        "The SNA attacked the Manbij Military Council on Sunday.",
        # no actor named
        "Saraqib changed hands on Sunday.",
        # nouns and states are not changes
        "The SNA tried to take Manbij, which remains in Kurdish hands.",
        "Residents of Saraqib said that rebels had taken over government buildings.",
        "A week ago, the army still held Hama and Homs.",
        "Turkish-backed groups shelled the SDF-held town of Manbij on Sunday.",
        "The SDF controlled Manbij until Sunday.",
        "The army denied that rebels had entered Homs, calling the reports lies.",
        "HTS fighters massed around Hama. Analysts said they could enter the city within days.",
        "The army said it would never abandon Homs.",
        "In Hama, residents said soldiers had left their barracks.",  # "their barracks", not Hama
        # conditions before the subject
        "If rebels take Homs, Damascus will be cut off.",
        "Once HTS takes Hama, the road to Homs is open.",
        # a past state with its year is history
        "Idlib has been in the hands of HTS since 2017.",
        "The towns of Saraqib and Rastan, abandoned by their residents, lay empty.",
        # foreign forces are actors, not map colours
        "Russian forces seized Saraqib on Sunday.",
    ],
)
def test_no_change_is_extracted(text: str, gazetteer: Gazetteer, factions: FactionSet) -> None:
    assert changes(text, gazetteer, factions) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # generic rebels are the coalition the article names in its lede or as an actor...
        ("HTS launched an offensive on Wednesday. Rebels captured Saraqib on Friday.", "hts"),
        ("The SNA took al-Bab on Sunday. Insurgents also seized Manbij on Sunday.", "sna"),
        ("Southern rebels rose up on Friday. Rebel groups seized Daraa on Friday.", "southern"),
        # the lede's coalition comes before one named more often further down
        ("HTS attacked Aleppo on Wednesday. Fighting went on. Civilians fled. Southern rebels rose up. "
         "Southern rebels took Daraa. Southern rebels said so. Rebels captured Saraqib on Friday.", "hts"),
        # HTS named only as a speaker still makes plain rebels its coalition; a passing SNA does not
        ("Rebels captured Saraqib on Friday. Two days later HTS said its fighters were near Hama.", "hts"),
        ("Rebels captured Saraqib on Friday. Fighting went on. Civilians fled. Turkish-backed groups shelled "
         "Manbij.", "opposition"),
        # "Syrian opposition fighters" in a report about HTS are HTS's
        ("HTS launched an offensive on Wednesday. Syrian opposition forces captured Saraqib on Friday.",
         "hts"),
        # a coalition with a qualified name ("Turkish-backed rebels") met only further down is a second group
        ("Rebels captured Saraqib on Friday. Fighting went on. Civilians fled. Turkish-backed rebels said "
         "they had taken Manbij on Sunday.", "opposition"),
        # ...else the generic opposition
        ("Rebels captured Saraqib on Friday.", "opposition"),
        ("Anti-regime groups seized Saraqib on Friday.", "opposition"),
        ("The SNA took al-Bab on Sunday. Armed groups then seized Manbij on Sunday.", "sna"),
        # a named faction is never overridden
        ("HTS launched an offensive on Wednesday. The Free Syrian Army seized Saraqib on Friday.",
         "opposition"),
    ],
)
def test_generic_rebels_resolve_to_the_articles_coalition(
    text: str, expected: str, gazetteer: Gazetteer, factions: FactionSet,
) -> None:
    assert [c[1] for c in changes(text, gazetteer, factions)][-1:] == [expected]


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("HTS captured Saraqib on Friday, according to the Syrian Observatory for Human Rights.", "reported"),
        ("HTS captured Saraqib on Friday, the monitor said.", "reported"),
        ("AFP correspondents saw HTS fighters after they captured Saraqib on Friday.", "reported"),
        ("HTS said it had captured Saraqib on Friday.", "claimed"),
        ("The army recaptured Saraqib on Friday, the defence ministry said.", "claimed"),
        ("HTS captured Saraqib on Friday.", "reported"),
    ],
)
def test_confidence_depends_on_who_says_so(
    text: str, confidence: str, gazetteer: Gazetteer, factions: FactionSet,
) -> None:
    article = parse_article(text, published=MONDAY)
    assert [c.confidence for c in extract_changes(article, gazetteer, factions)] == [confidence]


def test_undated_change_takes_publication_date_and_lower_confidence(
    gazetteer: Gazetteer, factions: FactionSet,
) -> None:
    article = parse_article("HTS captured Saraqib, the monitor said.", published=MONDAY)
    (ev,) = extract_changes(article, gazetteer, factions)
    assert (ev.date, ev.confidence, ev.note) == (MONDAY, "claimed", UNDATED_NOTE)


def test_undated_echo_of_a_dated_change_is_merged(gazetteer: Gazetteer, factions: FactionSet) -> None:
    text = ("Rebels capture Aleppo\n\nDuring the weekend HTS took over Aleppo city, barring neighbourhoods "
            "held by Kurdish forces, the monitor said.\n\nAleppo seems to be lost for the regime, an analyst "
            "said. The city fell out of government control.")
    assert changes(text, gazetteer, factions) == [("aleppo", "hts", "captured_partial", D(2024, 11, 30))]


def test_withdrawal_names_the_previous_holder(gazetteer: Gazetteer, factions: FactionSet) -> None:
    text = ("The SNA captured Tal Rifaat on Sunday, the monitor said. The SDF said it had withdrawn from "
            "Tal Rifaat to protect civilians.")
    (ev,) = extract_changes(parse_article(text, published=MONDAY), gazetteer, factions)
    assert (ev.place, ev.faction, ev.previous, ev.date) == ("tal-rifaat", "sna", "sdf", D(2024, 12, 1))


def test_capture_from_a_faction_names_it_previous(gazetteer: Gazetteer, factions: FactionSet) -> None:
    text = "The SNA captured Manbij from Kurdish-led forces on Monday."
    (ev,) = extract_changes(parse_article(text, published=MONDAY), gazetteer, factions)
    assert (ev.faction, ev.previous) == ("sna", "sdf")


def test_event_carries_source_quote_and_review_state(gazetteer: Gazetteer, factions: FactionSet) -> None:
    raw = ("# published: 2024-12-02\n# outlet: Test Wire\n# source: https://example.org/a\n"
           "HTS took Saraqib on Friday.")
    article = parse_article(raw, file="reports/afp-test.txt")
    (ev,) = extract_changes(article, gazetteer, factions)
    assert ev.quote == "HTS took Saraqib on Friday."
    assert (ev.origin, ev.reviewed) == ("extracted", False)
    assert (ev.source.outlet, ev.source.published, ev.source.url, ev.source.article) == (
        "Test Wire", MONDAY, "https://example.org/a", "afp-test")


def test_ingest_returns_mentions_changes_and_unresolved(gazetteer: Gazetteer, factions: FactionSet) -> None:
    article = parse_article("HTS seized the town of Kafr Basha and Saraqib on Friday.", published=MONDAY)
    result = ingest(article, gazetteer, factions)
    assert [m.place for m in result.mentions] == ["saraqib"]
    assert [u.text for u in result.unresolved] == ["Kafr Basha"]
    assert [c.place for c in result.changes] == ["saraqib"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Gen. Ali spoke on Dec. 1 in the U.S. capital. Then he left.",
         ["Gen. Ali spoke on Dec. 1 in the U.S. capital.", "Then he left."]),
        ("Title line\n\nBody sentence one. \"Quoted,\" he said.", ["Title line", "Body sentence one.",
                                                                 "\"Quoted,\" he said."]),
    ],
)
def test_sentences_split_on_ends_and_lines(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentences(text)] == expected


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("they took over the town", ["captured"]),
        ("it took part in talks and took place yesterday", []),
        ("the town fell to them after they withdrew from it", ["passive", "withdrew"]),
        ("the city is lost for the regime", ["passive_lost"]),
        ("they handed over the town", ["handed"]),
    ],
)
def test_find_verbs(sentence: str, kinds: list[str]) -> None:
    assert [v.kind for v in find_verbs(sentence)] == kinds


def test_a_lowercase_landmark_is_that_of_the_city_in_view(tmp_path: Path, factions: FactionSet) -> None:
    extra = "  - {id: aleppo-citadel, name: Aleppo Citadel, kind: facility, lat: 36.199, lon: 37.163}\n"
    path = tmp_path / "places.yaml"
    path.write_text((FIXTURES / "places.yaml").read_text(encoding="utf-8") + extra, encoding="utf-8")
    gaz = load_gazetteer(path)
    text = "HTS fighters swept through Aleppo on Friday. By Saturday evening, HTS controlled the citadel."
    assert changes(text, gaz, factions) == [("aleppo-citadel", "hts", "captured", D(2024, 11, 30))]
    # with no city in view, or no such landmark there, nothing is guessed
    assert changes("By Saturday evening, HTS controlled the citadel.", gaz, factions) == []
    assert changes("HTS swept through Hama on Friday. By Saturday, HTS controlled the citadel.", gaz,
                   factions) == []
