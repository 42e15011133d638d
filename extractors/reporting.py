"""Words of reporting, by lemma: verbs of speech with their stance, who can speak, what counts a total.

Broad lists rather than rules per sentence: a reporting verb is recognised in any inflection because the
parse gives its lemma ("sidestepped" -> "sidestep"), and a speaker by the head noun of its phrase.
"""

from __future__ import annotations

import re

from extractors.text import word_set

# Verbs of speech and of public positions, by the stance they give a figure in what they report.
_REPORTING = {
    "claimed": """say tell add state claim announce note inform brief insist stress emphasize emphasise explain
    argue write predict urge praise condemn offer vow pledge threaten allege disclose declare assert suggest
    hint accuse warn reveal comment remark respond reply tweet post recall demand describe criticize
    criticise slam hail welcome promise reiterate caution label dub decry denounce lambast blast question
    propose appeal plead ask signal indicate complain lament mourn contend maintain observe highlight
    underline underscore affirm reaffirm assure reassure proclaim testify blame thank boast admit warn
    advise recommend request implore beg forecast conclude charge counter retort rebut dispute challenge
    defend justify insist order instruct call hold sidestep dodge evade shrug brush deflect voice express raise
    agree disagree concur acknowledge mention specify stipulate swear tout characterize
    characterise portray frame deem brand liken apologise apologize revise lower update""",
    "estimated": "estimate believe assess think suspect calculate expect understand reckon judge project put place",
    "confirmed": "confirm acknowledge admit concede verify corroborate",
    "denied": "deny dismiss reject refute rebuff disavow",
    "reported": "report",
}
STANCE_OF_LEMMA = {w: stance for stance, words in _REPORTING.items() for w in words.split()}
# Verbs that report speech only with something said after them: "added that ...", "called it a 'sign'".
NEEDS_CONTENT = word_set("add post tweet call raise voice express write charge order")
# Verbs that are speech only when a clause or a quotation follows: "maintained that ...", not "maintains an army".
CLAUSE_ONLY = word_set(
    "maintain hold observe indicate conclude charge order counter defend challenge project note"
)
# "put the number of dead at 23", "placed the toll at 41": an estimate only with a total as object.
ESTIMATING = word_set("put place")
# "raised the number of dead to 530", "raised concern": speech only with a total or a speech object.
OBJECT_SPEECH = word_set("express voice raise revise lower update")
# Verbs whose object is the audience, not what is said: "told reporters that ...".
TELLING = word_set("tell inform brief warn urge ask assure remind advise")
# "expressed concern over", "raised the prospect of", "voiced alarm": the object says it is speech.
SPEECH_OBJECTS = word_set(
    """concern concerns alarm horror hope hopes regret outrage fear fears doubt doubts prospect possibility
    support condolences frustration optimism skepticism scepticism anger dismay shock sympathy solidarity
    opposition objection objections criticism disappointment confidence gratitude readiness willingness
    openness intention desire need"""
)
# "refused to comment", "declined to confirm or deny": speech that neither confirms nor denies.
REFUSING = word_set("refuse decline")
REFUSED = word_set(
    "comment confirm deny say discuss answer label disclose specify elaborate give provide respond speculate"
)
# Nouns a speaker's phrase can end in: people, offices and bodies that speak.
SPEAKER_NOUNS = word_set(
    """official officials spokesman spokeswoman spokesperson spokespeople minister ministers ministry
    president presidents chief chiefs general generals commander commanders agency agencies intelligence
    military government governments expert experts analyst analysts source sources officer officers
    diplomat diplomats envoy envoys ambassador ambassadors adviser advisers advisor advisors leader leaders
    leadership army navy media secretary director directors service services command staff parliament
    lawmaker lawmakers legislator legislators deputy representative representatives monitor monitors
    observer observers authority authorities administration department prosecutor prosecutors police
    researcher researchers scientist scientists group groups watchdog institute member members committee
    commission party regime embassy mission head heads board alliance soldier soldiers prisoner prisoners
    defector defectors captive captives veteran veterans chairman chairwoman premier chancellor governor
    mayor commissioner marshal colonel lieutenant sergeant captain admiral operator operators correspondent
    counterpart counterparts delegation spokesmen assembly directorate senator senators congressman
    congresswoman mp mps professor scholar columnist editor journalist journalists negotiator negotiators
    aide aides king queen prince pope cleric bishop priest imam rabbi judge judges court tribunal council
    office team organisation organization charity charities ngo agency union federation association company
    firm operator airline carrier manufacturer network broadcaster newspaper paper outlet agency report
    reports study survey statement communique communiqué document letter release website post
    resident residents witness witnesses survivor survivors relative relatives family families mother
    father son daughter brother sister wife husband widow parent parents neighbour neighbor neighbours
    neighbors victim victims doctor doctors nurse nurses medic medics paramedic paramedics surgeon
    physician rescuer rescuers firefighter firefighters volunteer volunteers worker workers teacher
    teachers student students farmer farmers driver drivers pilot pilots passenger passengers crew
    owner owners manager managers employee employees activist activists campaigner campaigners advocate
    advocates protester protesters demonstrator demonstrators organiser organizer organisers organizers
    citizen citizens voter voters people person man woman men women boy girl child children teenager
    local locals villager villagers farmer fisherman fishermen shopkeeper vendor refugee refugees migrant
    migrants evacuee evacuees hostage hostages detainee detainees inmate inmates militant militants
    fighter fighters rebel rebels insurgent insurgents guard guards troops forces unit units brigade
    battalion regiment division corps staff executive executives ceo founder investor investors economist
    economists historian historians lawyer lawyers attorney attorneys counsel expert analyst trader
    traders candidate candidates nominee campaign hospital hospitals clinic clinics university universities
    school schools college foundation fund bank banks court courts tribunal agency embassy consulate
    municipality city council region province state states country countries nation nations bloc union
    coalition cabinet presidency palace kremlin junta administration authority parliament senate congress
    assembly legislature opposition movement organisation organization network channel broadcaster station
    daily weekly magazine journal tabloid sheriff sheriffs investigator investigators inspector inspectors
    coroner examiner pathologist forecaster forecasters meteorologist meteorologists seismologist
    seismologists geologist geologists engineer engineers wing arm branch bureau desk side sides camp
    faction factions caucus mediator mediators broker brokers emissary blogger bloggers writer writers
    reporter reporters commentator commentators pundit pundits presenter host anchor photographer
    superintendent coordinator administrator landlord tenant tenants merchant merchants dealer dealers
    strategist strategists consultant consultants defendant defendants plaintiff plaintiffs suspect
    suspects pupil pupils grandmother grandfather grandson granddaughter uncle aunt cousin friend friends
    colleague colleagues spouse partner responder responders ranger rangers warden councillor councillors
    councilor councilors emir sheikh miner miners sailor sailors climber climbers hiker hikers tourist
    tourists owner operator supporter supporters follower followers user users customer customers
    passenger traveller travellers traveler travelers eyewitness eyewitnesses bystander bystanders
    survivor survivors doctor surgeon clinician researcher scientist academic academics"""
)
# Agent nouns ("hiker", "commentator") speak; these words end like them and do not.
NOT_AGENTS = word_set(
    """order orders number numbers border borders water waters paper papers power powers letter letters matter
    matters center centre centers centres corner corners chamber chambers quarter quarters summer winter weather
    sector sectors factor factors error errors floor floors door doors motor motors reactor reactors vector
    tractor mirror honor honour horror rumor rumour terror tower towers river rivers shelter shelters disaster
    disasters cluster clusters counter filter finger fingers hunger member laser layer layers liter litre meter
    metre meters metres monster offer offers other others poster posters prayer prayers register ruler
    silver theater theatre thunder timber transfer transfers trigger water wonder computer container containers
    cancer danger dinner leather lever manner manners master matter minor paper parameter proper rather
    remainder temper trailer tremor tremors behavior behaviour color colour favor favour flavor labor labour
    major majors minor minors motor vapor vapour tumor tumour armor armour"""
)
# Head nouns that are never speakers, whatever the verb ("Video shows", "the strike killed").
NOT_SPEAKERS = word_set(
    """video footage photo photos image images picture pictures map chart data figure figures number numbers
    toll strike strikes attack attacks war move decision deal plan bill law vote storm flood floods rain
    fire blast explosion crash quake earthquake offensive operation raid siege visit trip meeting talks
    question answer issue situation event"""
)
# A figure that totals or counts something: "the death toll rose to 41", "the number of dead stands at 9".
TOTAL_NOUNS = word_set("toll tally total number count figure figures estimate estimates sum")
# Verbs that set a total: "rose to", "stands at", "reached", "doubled, to".
TOTAL_VERBS = word_set(
    """rise climb jump increase grow reach hit top surpass exceed pass stand double triple soar mount swell
    go put place estimate set peg raise revise bring push lift be remain"""
)
# Nouns that make a count a part of a bigger one: "including at least five children".
SUBSET_NOUNS = word_set(
    """child children kid kids minor minors baby babies infant infants toddler toddlers woman women girl
    girls boy boys teenager teenagers elderly journalist journalists medic medics doctor doctors nurse
    nurses paramedic paramedics rescuer rescuers worker workers staff student students teacher teachers
    foreigner foreigners tourist tourists citizen citizens national nationals member members"""
)
# People and things counted whose class the sentence's verb gives: "51 people were killed".
COUNTED_NOUNS = word_set(
    """people person persons individual individuals civilian civilians resident residents inhabitant
    inhabitants villager villagers family families household households citizen citizens national
    nationals passenger passengers crew member members soldier soldiers child children kid kids minor minors
    baby babies infant infants woman women man men girl girls boy boys teenager teenagers student students
    worker workers patient patients refugee refugees migrant migrants tourist tourists fisherman fishermen
    miner miners pilgrim pilgrims protester protesters demonstrator demonstrators journalist journalists
    medic medics doctor doctors nurse nurses rescuer rescuers firefighter firefighters volunteer volunteers
    officer officers policeman policemen police guard guards prisoner prisoners detainee detainees hostage
    hostages captive captives victim victims body bodies life lives casualty casualties palestinian
    palestinians israeli israelis ukrainian ukrainians russian russians gazan gazans spaniard spaniards
    guest guests visitor visitors employee employees staff pupil pupils spectator spectators fan fans
    athlete athletes player players commuter commuters evacuee evacuees survivor survivors occupant
    occupants inmate inmates sailor sailors troop troops adult adults elderly youth youths
    others more"""
)
# Units of time and measure: a number before one of these is no count of people ("over three months").
MEASURES = word_set(
    """year month week day hour minute second decade century km kilometre kilometer mile metre meter foot
    feet inch tonne ton kg kilogram pound litre liter gallon acre hectare percent per cent time times degree
    mph kph magnitude point points dollar euro"""
)
# Nouns of a reporting source that are not speakers but whose modifier is: "U.S. estimates", "UN figures".
ESTIMATE_NOUNS = word_set("estimate estimates figure figures data count counts tally assessment assessments")
SOURCE_NOUNS = word_set(
    """estimate estimates figure figures data count counts tally assessment assessments plan proposal offer
    statement report announcement"""
)

# Past forms the suffix rules below cannot undo.
_IRREGULAR = {
    "said": "say", "told": "tell", "wrote": "write", "written": "write", "thought": "think", "spoke": "speak",
    "spoken": "speak", "held": "hold", "knew": "know", "known": "know", "understood": "understand",
    "swore": "swear", "sworn": "swear", "put": "put", "led": "lead", "gave": "give", "given": "give",
    "withdrew": "withdraw", "foresaw": "foresee", "forecast": "forecast",
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def _bases(word: str) -> tuple[str, ...]:
    """The base forms an English verb form may come from ("sidestepped" -> sidestep, "denies" -> deny)."""
    out = [word, _IRREGULAR.get(word, word)]
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""),
                         ("ing", ""), ("ing", "e"), ("d", "")):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)] + repl
            out.append(stem)
            if len(stem) > 3 and stem[-1] == stem[-2] and not repl:
                out.append(stem[:-1])  # "shrugged" -> shrug, "admitted" -> admit
    return tuple(out)


def may_report(text: str) -> bool:
    """A cheap test before parsing: a word that may be a reporting verb in any inflection, or a source phrase."""
    low = text.lower()
    if "according" in low or "citing" in low:
        return True
    return any(b in STANCE_OF_LEMMA or b in REFUSING for w in set(_WORD.findall(low)) for b in _bases(w))
