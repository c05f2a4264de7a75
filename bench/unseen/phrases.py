"""Phrase banks in French, Dutch and English, as supporters and others really write.

Pure data. Placeholders, filled by `compose`:
  {N} the person as mentioned (a chosen name form), {G} the given name, {S} the surname;
  French agreement {il} {Il} {le} {lui} {e} (""/e/s/es) {est} {a} {son}; Dutch {hij} {Hij}
  {hem} {zijn} {is} {heeft}; English {he} {He} {him} {his} {is} {has} {was};
  {country}, {town}, {P} (a place), {C} (a context word), {cite} (a citation), {title} (how the
  authority is greeted), {other} (another case's person), {year}.
"""

from __future__ import annotations

# ------------------------------------------------------------------ people and places

FIRST_NAMES = ("Marie", "Sophie", "Julie", "Camille", "Lucie", "Élise", "Nathalie", "Chantal",
               "Geneviève", "Isabelle", "Martine", "Claire", "Els", "Griet", "Lieve", "Katrien",
               "Veerle", "An", "Sarah", "Emma", "Louise", "Fatima", "Yasmina", "Ines", "Noor",
               "Pierre", "Jean", "Luc", "Marc", "Philippe", "Thomas", "Olivier", "Benoît",
               "Koen", "Pieter", "Jef", "Wouter", "Bart", "Dirk", "Tom", "Stijn", "Arne",
               "Youssef", "Karim", "Rachid", "David", "James", "Peter", "Simon", "Hugo",
               "Lotte", "Fien", "Mathis", "Lena", "Victor", "Jules", "Amélie", "Gaëlle")
SURNAMES = ("Dubois", "Lambert", "Dupont", "Renard", "Lejeune", "Leclercq", "Mertens",
            "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Maes", "Jacobs", "Vermeulen",
            "Van den Broeck", "Desmet", "Hermans", "Michiels", "Devos", "Lemaire", "Bodart",
            "Collignon", "Thiry", "Delvaux", "El Amrani", "Benali", "Kowalski", "Nowak",
            "Rossi", "Ferreira", "Smith", "Taylor", "O'Neill", "Van Acker", "D'Hondt",
            "Vandenberghe", "Francotte", "Noël", "Gérard", "Hubert", "Mathieu", "Leroy")
TOWNS = (("1000", "Bruxelles", "Brussel"), ("1050", "Ixelles", "Elsene"),
         ("1180", "Uccle", "Ukkel"), ("1348", "Louvain-la-Neuve", "Louvain-la-Neuve"),
         ("4000", "Liège", "Luik"), ("5000", "Namur", "Namen"), ("6000", "Charleroi", "Charleroi"),
         ("7000", "Mons", "Bergen"), ("1300", "Wavre", "Waver"), ("6700", "Arlon", "Aarlen"),
         ("9000", "Gand", "Gent"), ("2000", "Anvers", "Antwerpen"), ("3000", "Louvain", "Leuven"),
         ("8000", "Bruges", "Brugge"), ("3500", "Hasselt", "Hasselt"), ("2800", "Malines", "Mechelen"),
         ("8500", "Courtrai", "Kortrijk"), ("9300", "Alost", "Aalst"), ("3800", "Saint-Trond",
                                                                         "Sint-Truiden"))
STREETS = {
    "fr": ("rue de la Station", "avenue des Tilleuls", "rue du Moulin", "chaussée de Louvain",
           "rue Haute", "place du Marché", "rue des Écoles", "clos des Lilas", "rue de Namur",
           "avenue Albert Ier", "rue Saint-Gilles", "drève des Chênes"),
    "nl": ("Stationsstraat", "Kerkstraat", "Molenweg", "Dorpsplein", "Lindenlaan", "Schoolstraat",
           "Kapelstraat", "Nieuwstraat", "Beukenlaan", "Veldstraat", "Brugsesteenweg"),
    "en": ("rue de la Station", "Kerkstraat", "Lindenlaan", "avenue des Tilleuls", "Molenweg"),
}
MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
DATE_FORMS = {
    "fr": ("{town}, le {d} {month} {y}", "{town}, le {d}/{m:02d}/{y}", "Le {d} {month} {y}",
           "{d} {month} {y}", "{town}, {d}.{m:02d}.{y}"),
    "nl": ("{town}, {d} {month} {y}", "{town}, {d}/{m:02d}/{y}", "{d} {month} {y}",
           "{town}, {d}-{m}-{y}"),
    "en": ("{d} {month} {y}", "{town}, {d} {month} {y}", "{month} {d}, {y}", "{d}/{m:02d}/{y}"),
}

# ------------------------------------------------------------------ letters to the authority

# How the authority is greeted, by the first word of its title (any language of the file).
TITLES = {
    "president": {"fr": ("Monsieur le Président,", "Excellence,", "Madame, Monsieur le Président,"),
                  "nl": ("Geachte heer President,", "Excellentie,", "Geachte President,"),
                  "en": ("Dear President,", "Your Excellency,", "Dear Mr President,")},
    "minister": {"fr": ("Monsieur le Ministre,", "Madame, Monsieur le Ministre,", "Excellence,"),
                 "nl": ("Geachte minister,", "Geachte heer minister,", "Excellentie,"),
                 "en": ("Dear Minister,", "Dear Sir or Madam,", "Your Excellency,")},
    "prosecutor": {"fr": ("Monsieur le Procureur général,", "Madame, Monsieur le Procureur,"),
                   "nl": ("Geachte procureur-generaal,", "Geachte heer procureur,"),
                   "en": ("Dear Prosecutor General,", "Dear Sir or Madam,")},
    "king": {"fr": ("Sire,", "Votre Majesté,"), "nl": ("Majesteit,", "Uwe Majesteit,"),
             "en": ("Your Majesty,", "Your Royal Highness,")},
    "other": {"fr": ("Madame, Monsieur,", "Excellence,"), "nl": ("Geachte heer, mevrouw,", "Geachte,"),
              "en": ("Dear Sir or Madam,", "Dear Chief Executive,", "To whom it may concern,")},
}
TITLE_WORDS = (("president", ("président", "president", "presidente", "premier", "prime")),
               ("minister", ("ministre", "minister", "ministro")),
               ("prosecutor", ("procureur", "prosecutor", "fiscal", "procureur-generaal", "head")),
               ("king", ("king", "roi", "koning")))

SUBJECTS = {
    "fr": ("Objet : {N}", "Objet : libération de {N}", "Concerne : {N}", "Réf. : le cas de {N}",
           "Objet : demande de libération — {N}", "OBJET : {N}"),
    "nl": ("Betreft: {N}", "Onderwerp: vrijlating van {N}", "Betreft: de zaak {N}", "Ref.: {N}"),
    "en": ("Re: {N}", "Subject: the case of {N}", "RE: release of {N}", "Concerning {N}"),
}
INTROS = {
    "fr": ("Je m'appelle {sender_first}, j'ai {age} ans et j'habite à {town}, en Belgique.",
           "Je vous écris depuis {town}, en Belgique, dans le cadre du Marathon des lettres.",
           "Comme des milliers de personnes partout dans le monde, je prends la plume aujourd'hui.",
           "Membre d'un groupe local d'Amnesty International, je tiens à vous faire part de ma vive inquiétude.",
           "Je suis enseignant·e et, avec mes élèves, nous avons décidé de vous écrire.",
           "Je me permets de vous adresser ce courrier au nom du respect des droits humains."),
    "nl": ("Mijn naam is {sender_first}, ik ben {age} jaar en ik woon in {town}, België.",
           "Ik schrijf u vanuit {town} in het kader van de Schrijfmarathon.",
           "Net als duizenden mensen over de hele wereld schrijf ik u vandaag.",
           "Als lid van een lokale groep van Amnesty International wil ik u mijn grote bezorgdheid meedelen.",
           "Ik ben leerkracht en samen met mijn leerlingen hebben we besloten u te schrijven."),
    "en": ("My name is {sender_first}, I am {age} and I live in {town}, Belgium.",
           "I am writing to you from {town}, Belgium, as part of Write for Rights.",
           "Like thousands of people around the world, I am writing to you today.",
           "As a member of a local Amnesty International group, I wish to express my deep concern.",
           "I am a teacher, and my pupils and I decided to write to you together."),
}
# Each of these names the person ({N}); the composer picks one or two.
ABOUT = {
    "fr": ("J'ai appris avec beaucoup d'inquiétude la situation de {N}.",
           "{N} {est} détenu{e} uniquement pour avoir exercé pacifiquement {son} droit à la liberté d'expression.",
           "Je suis profondément préoccupé·e par le sort de {N}.",
           "Le cas de {N} me touche particulièrement.",
           "Je vous écris au sujet de {N}, dont la situation m'inquiète beaucoup.",
           "{N} n'{a} rien fait d'autre que défendre les droits humains."),
    "nl": ("Met grote bezorgdheid vernam ik de situatie van {N}.",
           "{N} {is} enkel vastgehouden omdat {hij} vreedzaam {zijn} recht op vrije meningsuiting uitoefende.",
           "Ik maak mij ernstig zorgen over het lot van {N}.",
           "De zaak van {N} raakt mij diep.",
           "Ik schrijf u over {N}, wiens situatie mij zeer verontrust.",
           "{N} {heeft} niets anders gedaan dan de mensenrechten verdedigen."),
    "en": ("I was deeply worried to learn about the situation of {N}.",
           "{N} {is} being held solely for peacefully exercising {his} right to freedom of expression.",
           "I am gravely concerned about {N}.",
           "The case of {N} has moved me deeply.",
           "I am writing to you about {N}, whose situation worries me greatly.",
           "{N} {has} done nothing but defend human rights."),
}
SITUATION = {
    "fr": ("Selon les informations dont je dispose, {il} {a} subi des pressions répétées.",
           "Rien ne justifie la manière dont {il} {est} traité{e}.",
           "Sa famille est sans nouvelles depuis trop longtemps.",
           "Les accusations portées contre {lui} ne reposent sur aucune preuve sérieuse.",
           "Il est urgent d'agir, car sa santé serait fragile."),
    "nl": ("Volgens de informatie waarover ik beschik, werd {hij} herhaaldelijk onder druk gezet.",
           "Niets rechtvaardigt de manier waarop {hij} behandeld wordt.",
           "De familie heeft al veel te lang geen nieuws.",
           "De beschuldigingen tegen {hem} steunen op geen enkel ernstig bewijs.",
           "Er moet dringend gehandeld worden, want de gezondheid zou zwak zijn."),
    "en": ("According to the information I have, {he} {has} been under repeated pressure.",
           "Nothing justifies the way {he} {is} being treated.",
           "The family has had no news for far too long.",
           "The charges brought against {him} rest on no serious evidence.",
           "It is urgent to act, as {his} health is said to be fragile."),
}
DEMANDS = {
    "fr": ("Je vous demande de {le} libérer immédiatement et sans condition.",
           "Je vous prie instamment de veiller à ce que {il} {soit} libéré{e} sans délai.",
           "Je vous demande d'ouvrir une enquête impartiale et de traduire les responsables en justice.",
           "Je vous demande d'abandonner toutes les charges retenues contre {lui}.",
           "Je vous demande de garantir sa sécurité et de mettre fin au harcèlement."),
    "nl": ("Ik vraag u {hem} onmiddellijk en onvoorwaardelijk vrij te laten.",
           "Ik verzoek u met aandrang ervoor te zorgen dat {hij} zonder uitstel wordt vrijgelaten.",
           "Ik vraag u een onpartijdig onderzoek te openen en de verantwoordelijken te berechten.",
           "Ik vraag u alle aanklachten tegen {hem} te laten vallen.",
           "Ik vraag u de veiligheid te waarborgen en een einde te maken aan de intimidatie."),
    "en": ("I urge you to release {him} immediately and unconditionally.",
           "I call on you to ensure that {he} {is} freed without delay.",
           "I ask you to open an impartial investigation and bring those responsible to justice.",
           "I ask you to drop all charges against {him}.",
           "I urge you to guarantee {his} safety and end the harassment."),
}
CLOSINGS = {
    "fr": ("Veuillez agréer, {title_bare}, l'expression de ma haute considération.",
           "Dans l'attente de votre réponse, je vous prie d'agréer mes salutations distinguées.",
           "Respectueusement,", "Avec mes salutations respectueuses,", "Cordialement,"),
    "nl": ("Hoogachtend,", "Met vriendelijke groeten,", "In afwachting van uw antwoord, met de meeste hoogachting,",
           "Met respectvolle groeten,"),
    "en": ("Yours sincerely,", "Yours faithfully,", "Respectfully,", "With respect and hope,",
           "I look forward to your response. Yours sincerely,"),
}
PS = {
    "fr": ("P.S. Je suivrai cette affaire avec la plus grande attention.",
           "PS : une copie de cette lettre est envoyée à votre ambassade à Bruxelles.",
           "P.-S. Merci d'avance pour votre geste."),
    "nl": ("P.S. Ik volg deze zaak met de grootste aandacht.",
           "PS: een kopie van deze brief gaat naar uw ambassade in Brussel."),
    "en": ("P.S. I will follow this case closely.",
           "PS: a copy of this letter is sent to your embassy in Brussels."),
}
PS_OTHER = {  # the P.S. that names a second case
    "fr": ("P.S. Je pense aussi à {other}, qui mérite la même attention.",
           "PS : et n'oubliez pas {other} !", "P.-S. Libérez aussi {other}."),
    "nl": ("P.S. Ik denk ook aan {other}, die dezelfde aandacht verdient.",
           "PS: en vergeet {other} niet!"),
    "en": ("P.S. I am also thinking of {other}, who deserves the same attention.",
           "PS: and please do not forget {other}!"),
}

# Context sentences by the kind of keyword; "custom" keywords have their own sentence below.
CONTEXT = {
    "place": {"fr": ("Ce qui s'est passé à {C} ne doit pas rester impuni.",
                     "Je pense à tous les habitants de {C}.",
                     "Les événements de {C} ont choqué beaucoup de monde ici."),
              "nl": ("Wat er in {C} gebeurde, mag niet onbestraft blijven.",
                     "Ik denk aan alle inwoners van {C}."),
              "en": ("What happened in {C} must not go unpunished.",
                     "My thoughts are with the people of {C}.")},
    "org": {"fr": ("Le travail de {C} est entièrement pacifique.",
                   "Son engagement auprès de {C} est légitime."),
            "nl": ("Het werk van {C} is volkomen vreedzaam.", "De inzet voor {C} is legitiem."),
            "en": ("The work of {C} is entirely peaceful.", "Being part of {C} is no crime.")},
    "movement": {"fr": ("Le mouvement {C} est pacifique.", "Participer au mouvement {C} n'est pas un crime."),
                 "nl": ("De {C}-beweging is vreedzaam.", "Deelnemen aan {C} is geen misdaad."),
                 "en": ("The {C} movement is peaceful.", "Taking part in {C} is not a crime.")},
}
CUSTOM_CONTEXT = {
    "q'eqchi'": {"fr": "{Il} défend les droits du peuple maya q'eqchi'.",
                 "nl": "{Hij} verdedigt de rechten van het Mayavolk q'eqchi'.",
                 "en": "{He} defends the rights of the Maya q'eqchi' people."},
    "journaliste": {"fr": "{Il} est une jeune journaliste qui filme la vie de son village."},
    "kapster": {"nl": "Ze werkte als kapster en had nooit eerder betoogd."},
    "prijskaartjes": {"nl": "Ze verving in een supermarkt enkele prijskaartjes door berichten tegen de oorlog."},
    "transactiviste": {"fr": "Parce qu'elle est transactiviste, elle est sans cesse menacée.",
                       "nl": "Als transactiviste wordt ze voortdurend bedreigd."},
    "traangasgranaat": {"nl": "Ze werd getroffen door een traangasgranaat terwijl ze haar luiken sloot."},
    "miskraam": {"nl": "Ze werd veroordeeld na een miskraam, wat geen misdaad is."},
    "thangyat": {"fr": "{Il} a été emprisonné pour un spectacle satirique de thangyat.",
                 "nl": "{Hij} werd opgesloten voor een satirische thangyat-voorstelling.",
                 "en": "{He} was jailed for a satirical thangyat performance."},
    "Tiananmen": {"fr": "Commémorer Tiananmen n'est pas un crime.",
                  "nl": "Tiananmen herdenken is geen misdaad.",
                  "en": "Remembering Tiananmen is not a crime."},
    "METU Pride": {"fr": "La marche METU Pride était pacifique.",
                   "nl": "De METU Pride-mars was vreedzaam.",
                   "en": "The METU Pride march was peaceful."},
}

# ------------------------------------------------------------------ letters to the person

GREETINGS_TU = {
    "fr": ("Chère {G},", "Cher {G},", "Salut {G} !", "Bonjour {G},", "{G},", "Très chère {G},"),
    "nl": ("Beste {G},", "Lieve {G},", "Hallo {G},", "Dag {G},", "{G},"),
    "en": ("Dear {G},", "Hi {G},", "Hello {G},", "{G},", "Dearest {G},"),
}
GREETINGS_VOUS = {
    "fr": ("Chère Madame {S},", "Cher Monsieur {S},", "Chère {G},", "Cher {G},", "Bonjour {G},"),
    "nl": ("Beste mevrouw {S},", "Beste meneer {S},", "Beste {G},"),
    "en": ("Dear Ms {S},", "Dear Mr {S},", "Dear {G},"),
}
GREETINGS_GROUP = {
    "fr": ("Chères {G},", "Chers {G},", "Bonjour {G},"),
    "nl": ("Beste {G},", "Lieve {G},"),
    "en": ("Dear {G},", "Hello {G},"),
}
SUPPORT_TU = {
    "fr": ("Tu n'es pas seul{e}.", "Je pense fort à toi depuis la Belgique.",
           "Ton courage m'impressionne et m'inspire.", "Garde espoir : on ne t'oublie pas.",
           "Ici, nous sommes des milliers à parler de toi.", "Je t'envoie toute ma force et mon amitié.",
           "J'espère que cette carte t'apportera un peu de chaleur.",
           "Tiens bon, la justice finira par arriver."),
    "nl": ("Je staat er niet alleen voor.", "Ik denk aan je vanuit België.",
           "Jouw moed inspireert mij.", "Hou moed: we vergeten je niet.",
           "Hier spreken duizenden mensen over jou.", "Ik stuur je al mijn kracht en vriendschap.",
           "Hou vol, er komt gerechtigheid."),
    "en": ("You are not alone.", "I am thinking of you from Belgium.", "Your courage inspires me.",
           "Stay strong: we have not forgotten you.", "Thousands of us here are talking about you.",
           "I am sending you all my strength and friendship.", "Hold on, justice will come."),
}
SUPPORT_VOUS = {
    "fr": ("Vous n'êtes pas seul{e}.", "Nous pensons fort à vous depuis la Belgique.",
           "Votre courage nous impressionne.", "Gardez espoir : on ne vous oublie pas.",
           "Je vous envoie tout mon soutien.", "Tenez bon, la justice finira par arriver."),
    "nl": ("U staat er niet alleen voor.", "Wij denken aan u vanuit België.",
           "Uw moed inspireert ons.", "Houd moed: we vergeten u niet."),
    "en": ("You are not alone.", "We are thinking of you from Belgium.",
           "Your courage inspires us.", "Please keep hope: you are not forgotten."),
}
SUPPORT_GROUP = {
    "fr": ("Vous n'êtes pas seul{e}.", "Nous pensons fort à vous trois depuis la Belgique.",
           "Votre courage nous impressionne.", "Gardez espoir : on ne vous oublie pas."),
    "nl": ("Jullie staan er niet alleen voor.", "We denken aan jullie vanuit België.",
           "Jullie moed inspireert ons."),
    "en": ("You are not alone.", "We are all thinking of you from Belgium.",
           "Your courage inspires us."),
}
NAMING_TO_PERSON = {  # optional: the full name said to the person
    "fr": ("Ici, en Belgique, tout le monde connaît le nom de {N}.",
           "Nous avons écrit « Libérez {N} » sur une grande banderole à l'école.",
           "Dans notre classe, l'affiche de {N} est au mur."),
    "nl": ("Hier in België kent iedereen de naam {N}.",
           "Op school hebben we een spandoek gemaakt: vrijheid voor {N}!"),
    "en": ("Here in Belgium everyone knows the name {N}.",
           "At school we made a banner that says: freedom for {N}!"),
}
PERSONAL = {
    "fr": ("Chez nous, il neige et les enfants font des bonhommes de neige.",
           "J'ai {age} ans et j'aime dessiner ; je t'envoie un soleil.",
           "Nous avons allumé une bougie pour toi hier soir.",
           "Je suis infirmière et je sais combien la santé compte."),
    "nl": ("Bij ons sneeuwt het en de kinderen maken sneeuwmannen.",
           "Ik ben {age} en ik teken graag; ik stuur je een zon.",
           "Gisteravond hebben we een kaarsje voor je aangestoken."),
    "en": ("It is snowing here and the children are building snowmen.",
           "I am {age} and I love drawing; I am sending you a sun.",
           "Last night we lit a candle for you."),
}
CLOSE_TO_PERSON = {
    "fr": ("Avec toute mon amitié,", "Je t'embrasse,", "Bien à toi,", "Solidairement,",
           "Bien amicalement,", "Courage !"),
    "nl": ("Veel liefs,", "Groetjes,", "Met solidaire groeten,", "Hou je goed,", "Warme groet,"),
    "en": ("With love,", "In solidarity,", "Warm wishes,", "Take care,", "With all my support,"),
}

# ------------------------------------------------------------------ letters to the authority naming nobody

GENERAL = {
    "fr": ("Je vous écris pour vous faire part de ma préoccupation : {country} doit respecter les droits humains.",
           "Les défenseurs des droits humains doivent pouvoir travailler sans crainte de représailles.",
           "La liberté d'expression et de réunion pacifique est un droit fondamental.",
           "De nombreuses organisations rapportent des arrestations arbitraires et des procès inéquitables.",
           "Je vous demande de respecter les engagements internationaux de votre pays.",
           "Je vous demande de libérer toutes les personnes détenues pour leurs opinions.",
           "Les familles des personnes détenues ont le droit de savoir où se trouvent leurs proches."),
    "nl": ("Ik schrijf u om mijn bezorgdheid te uiten over de mensenrechten in {country}.",
           "Mensenrechtenverdedigers moeten zonder angst voor represailles kunnen werken.",
           "De vrijheid van meningsuiting en van vreedzame vergadering is een grondrecht.",
           "Talrijke organisaties melden willekeurige arrestaties en oneerlijke processen.",
           "Ik vraag u de internationale verplichtingen van uw land na te leven.",
           "Ik vraag u iedereen vrij te laten die om zijn of haar mening vastzit."),
    "en": ("I am writing to express my concern about human rights in {country}.",
           "Human rights defenders must be able to work without fear of reprisals.",
           "Freedom of expression and of peaceful assembly is a fundamental right.",
           "Many organisations report arbitrary arrests and unfair trials.",
           "I ask you to honour the international commitments of your country.",
           "I urge you to release everyone detained for their opinions."),
}

# ------------------------------------------------------------------ press and academic text

HEADLINES = {
    "fr": ("Droits humains : un bilan contrasté", "La société civile sous pression",
           "Eau, terres et pouvoir : les enjeux d'une décennie", "Surveillance numérique : où va-t-on ?",
           "Climat et migrations, un lien désormais établi", "Police et manifestations : le débat"),
    "nl": ("Mensenrechten: een gemengde balans", "Het middenveld onder druk",
           "Water, land en macht", "Digitale surveillance: waar gaan we heen?",
           "Klimaat en migratie", "Politie en betogingen: het debat"),
    "en": ("Human rights: a mixed record", "Civil society under pressure",
           "Water, land and power", "Digital surveillance: where next?",
           "Climate and migration", "Policing protest: the debate"),
}
PRESS = {  # sentences of an article; {cite} is a citation, {country} a country
    "fr": ("Selon {cite}, les mobilisations citoyennes ont profondément changé depuis dix ans.",
           "Comme le montre {cite}, la répression s'appuie de plus en plus sur des lois vagues.",
           "Les chercheurs, dont {cite}, insistent sur le rôle des réseaux sociaux.",
           "{Country} reste un sujet de préoccupation, estiment plusieurs observateurs.",
           "Le rapport annuel publié mardi dresse un tableau nuancé de la situation.",
           "Les autorités contestent ces chiffres, qu'elles jugent exagérés.",
           "Les ONG appellent à une réforme en profondeur du système judiciaire.",
           "Pour les spécialistes, l'accès à l'eau deviendra un enjeu majeur.",
           "La conférence de Genève doit se pencher sur ces questions au printemps.",
           "Les données recueillies couvrent une trentaine de pays.",
           "Les journalistes locaux travaillent dans des conditions de plus en plus difficiles.",
           "Dans les grandes villes, les rassemblements sont désormais soumis à autorisation préalable.",
           "Le gouvernement affirme vouloir dialoguer avec la société civile.",
           "Plusieurs avocats ont été radiés du barreau au cours de l'année écoulée.",
           "Les organisations de défense des droits humains dénoncent un climat de peur.",
           "Une commission d'enquête indépendante avait pourtant été promise.",
           "Les sanctions internationales n'ont eu qu'un effet limité.",
           "Le budget consacré à la justice a baissé de douze pour cent.",
           "Les observateurs relèvent toutefois quelques signes encourageants.",
           "Les élections prévues l'an prochain seront un test décisif."),
    "nl": ("Volgens {cite} zijn burgerbewegingen de voorbije tien jaar sterk veranderd.",
           "Zoals {cite} aantoont, steunt repressie steeds vaker op vage wetten.",
           "Onderzoekers, onder wie {cite}, wijzen op de rol van sociale media.",
           "In {country} blijft de toestand zorgwekkend, volgens waarnemers.",
           "Het jaarrapport dat dinsdag verscheen, schetst een genuanceerd beeld.",
           "De overheid betwist de cijfers en noemt ze overdreven.",
           "De ngo's vragen een grondige hervorming van het gerecht.",
           "De verzamelde gegevens betreffen een dertigtal landen.",
           "Lokale journalisten werken in steeds moeilijkere omstandigheden.",
           "In de grote steden zijn samenkomsten voortaan vergunningsplichtig.",
           "De regering zegt de dialoog met het middenveld te willen aangaan.",
           "Verscheidene advocaten werden het voorbije jaar geschrapt.",
           "Mensenrechtenorganisaties klagen een klimaat van angst aan.",
           "Een onafhankelijke onderzoekscommissie was nochtans beloofd.",
           "De internationale sancties hadden slechts een beperkt effect.",
           "Het budget voor justitie daalde met twaalf procent.",
           "Waarnemers zien toch enkele bemoedigende tekenen.",
           "De verkiezingen van volgend jaar worden een cruciale test."),
    "en": ("According to {cite}, citizen movements have changed deeply over the past decade.",
           "As {cite} shows, repression increasingly relies on vague laws.",
           "Researchers, including {cite}, stress the role of social media.",
           "In {country}, the situation remains worrying, observers say.",
           "The annual report published on Tuesday paints a nuanced picture.",
           "The authorities dispute the figures, calling them exaggerated.",
           "NGOs are calling for a thorough reform of the justice system.",
           "The data cover some thirty countries.",
           "Local journalists are working in ever harder conditions.",
           "In the large cities, gatherings now require prior permission.",
           "The government says it wants dialogue with civil society.",
           "Several lawyers were disbarred over the past year.",
           "Human rights groups denounce a climate of fear.",
           "An independent commission of inquiry had nonetheless been promised.",
           "International sanctions have had only a limited effect.",
           "The justice budget fell by twelve per cent.",
           "Observers nevertheless note a few encouraging signs.",
           "Next year's elections will be a decisive test."),
}
ACADEMIC = {
    "fr": ("Nous nous appuyons sur le cadre proposé par {cite}.",
           "Ce résultat confirme les observations de {cite}.",
           "Plusieurs travaux, dont {cite}, ont souligné les limites de cette approche.",
           "La méthode d'échantillonnage suit {cite}.",
           "Les entretiens ont été menés entre 2017 et 2019.",
           "Le tableau 2 présente les principales variables.",
           "Nous discutons enfin les implications pour les politiques publiques.",
           "Notre corpus comprend 214 entretiens semi-directifs et 1 200 documents judiciaires.",
           "La section 4 présente les résultats, la section 5 les discute.",
           "Cette approche a été critiquée pour son manque de données longitudinales.",
           "Les variables de contrôle incluent le revenu, l'âge et le niveau d'études.",
           "Les résultats sont robustes à d'autres spécifications du modèle.",
           "Nous remercions les relecteurs anonymes pour leurs commentaires.",
           "Les limites de l'étude tiennent surtout à la taille de l'échantillon.",
           "Le codage a été réalisé par deux chercheurs de façon indépendante."),
    "nl": ("We baseren ons op het kader dat {cite} voorstelt.",
           "Dit resultaat bevestigt de bevindingen van {cite}.",
           "Verschillende studies, zoals {cite}, wezen op de grenzen van deze benadering.",
           "De steekproef volgt {cite}.",
           "De interviews werden afgenomen tussen 2017 en 2019.",
           "Tabel 2 toont de belangrijkste variabelen.",
           "Ons corpus bestaat uit 214 semigestructureerde interviews en 1 200 gerechtelijke documenten.",
           "Sectie 4 bespreekt de resultaten, sectie 5 de implicaties.",
           "Deze benadering kreeg kritiek wegens het gebrek aan longitudinale gegevens.",
           "De controlevariabelen omvatten inkomen, leeftijd en opleidingsniveau.",
           "De resultaten zijn robuust voor andere modelspecificaties.",
           "We danken de anonieme reviewers voor hun opmerkingen.",
           "De beperkingen van de studie liggen vooral in de omvang van de steekproef.",
           "De codering gebeurde door twee onderzoekers onafhankelijk van elkaar."),
    "en": ("We build on the framework proposed by {cite}.",
           "This finding confirms the observations of {cite}.",
           "Several studies, among them {cite}, have pointed to the limits of this approach.",
           "Our sampling follows {cite}.",
           "Interviews were conducted between 2017 and 2019.",
           "Table 2 presents the main variables.",
           "We conclude with implications for public policy.",
           "Our corpus comprises 214 semi-structured interviews and 1,200 court documents.",
           "Section 4 presents the results and Section 5 discusses them.",
           "This approach has been criticised for its lack of longitudinal data.",
           "Control variables include income, age and level of education.",
           "The results are robust to alternative model specifications.",
           "We thank the anonymous reviewers for their comments.",
           "The limits of the study lie mainly in the size of the sample.",
           "Coding was carried out independently by two researchers."),
}
BRIEFS = {  # short news items that fill a newspaper page
    "fr": (("Météo", "Un week-end pluvieux s'annonce sur l'ensemble du pays. Les températures resteront douces pour la saison."),
           ("Culture", "Le festival de jazz fête ses vingt ans. Plus de quarante concerts sont prévus en juillet."),
           ("Sports", "Le club local s'est imposé deux buts à un dimanche. L'entraîneur salue un groupe solidaire."),
           ("Économie", "Les prix de l'énergie reculent pour le troisième mois consécutif. Les ménages restent prudents."),
           ("Mobilité", "Des travaux perturberont la circulation sur la nationale jusqu'en mars. Une déviation est prévue.")),
    "nl": (("Weer", "Er wordt een regenachtig weekend verwacht in het hele land. De temperaturen blijven zacht voor de tijd van het jaar."),
           ("Cultuur", "Het jazzfestival viert zijn twintigste verjaardag. Er staan meer dan veertig concerten gepland in juli."),
           ("Sport", "De plaatselijke club won zondag met twee tegen een. De trainer prijst een hechte groep."),
           ("Economie", "De energieprijzen dalen voor de derde maand op rij. Gezinnen blijven voorzichtig."),
           ("Mobiliteit", "Werken verstoren het verkeer op de gewestweg tot maart. Er komt een omleiding.")),
    "en": (("Weather", "A rainy weekend is expected across the country. Temperatures will stay mild for the season."),
           ("Culture", "The jazz festival celebrates its twentieth year. More than forty concerts are planned for July."),
           ("Sport", "The local club won two-one on Sunday. The coach praised a close-knit squad."),
           ("Economy", "Energy prices fell for the third month running. Households remain cautious."),
           ("Transport", "Roadworks will disrupt traffic on the main road until March. A diversion is planned.")),
}
OUTLETS = {"fr": ("L'Écho du Hainaut", "La Gazette du Brabant", "Le Courrier de l'Ourthe"),
           "nl": ("De Vrije Krant", "Het Avondnieuws", "De Scheldebode"),
           "en": ("The Evening Courier", "The Brussels Ledger", "The Weekly Observer")}
PAPER_TITLES = ("Protest, Law and the State: A Comparative Study", "Water Rights and Local Resistance",
                "Digital Repression in Hybrid Regimes", "Les mobilisations citoyennes face au droit",
                "Burgerschap en protest: een vergelijkend onderzoek", "Policing Dissent after 2011")
SECTION_HEADS = {"fr": ("1. Introduction", "2. Cadre théorique", "3. Méthode", "Références"),
                 "nl": ("1. Inleiding", "2. Theoretisch kader", "3. Methode", "Literatuur"),
                 "en": ("1. Introduction", "2. Background", "3. Method", "References")}
AUTHORS = ("Dupuis", "Hendrickx", "Moreau", "Peeters", "Okafor", "Nakamura", "Müller", "Costa",
           "Lindqvist", "Bernard", "Janssens", "García", "Kowalczyk", "Fontaine", "Brennan")
JOURNALS = ("Journal of Human Rights", "Law & Society Review", "Revue française de science politique",
            "Tijdschrift voor Sociologie", "Global Policy", "Water Alternatives")

# ------------------------------------------------------------------ papers about other matters

INVOICE = {
    "fr": ("FACTURE", "Facture n° {num}", "Date : {date}", "Désignation", "Quantité", "Prix",
           "Total HTVA", "TVA 21 %", "Total à payer", "Conditions : paiement à 30 jours."),
    "nl": ("FACTUUR", "Factuur nr. {num}", "Datum: {date}", "Omschrijving", "Aantal", "Prijs",
           "Totaal excl. btw", "Btw 21 %", "Te betalen", "Betaling binnen 30 dagen."),
    "en": ("INVOICE", "Invoice no. {num}", "Date: {date}", "Description", "Qty", "Price",
           "Subtotal", "VAT 21%", "Amount due", "Terms: payment within 30 days."),
}
INVOICE_ITEMS = {
    "fr": ("Lampes LED 12 W", "Câble USB-C 2 m", "Cartouches d'encre", "Papier A4, ramette",
           "Rubans adhésifs", "Thé vert en vrac, 1 kg", "Écharpes en laine", "Pièces détachées"),
    "nl": ("LED-lampen 12 W", "USB-C-kabel 2 m", "Inktpatronen", "Papier A4, riem",
           "Kleefband", "Groene thee, 1 kg", "Wollen sjaals", "Reserveonderdelen"),
    "en": ("LED lamps 12 W", "USB-C cable 2 m", "Ink cartridges", "A4 paper, ream",
           "Adhesive tape", "Loose green tea, 1 kg", "Wool scarves", "Spare parts"),
}
COMPANY_FORMS = ("{P} Trading Co., Ltd.", "{P} Textile", "{P} Optics", "{P} Import-Export",
                 "Maison {P}", "{P} Tea Company")
NEWSLETTER = {
    "fr": ("Bulletin paroissial", "Le mot du curé",
           "Notre paroisse est jumelée depuis 2004 avec une communauté de {P}.",
           "Une collecte sera organisée à la sortie des messes au profit de nos amis de {P}.",
           "La chorale répétera tous les jeudis à 20 h.", "Agenda du mois",
           "Le souper aux moules aura lieu le samedi 12 à la salle paroissiale.",
           "Merci à tous les bénévoles pour la kermesse."),
    "nl": ("Parochieblad", "Woordje van de pastoor",
           "Onze parochie is sinds 2004 verbroederd met een gemeenschap in {P}.",
           "Na de mis wordt gecollecteerd voor onze vrienden in {P}.",
           "Het koor repeteert elke donderdag om 20 uur.", "Agenda van de maand",
           "Het mosselfeest vindt plaats op zaterdag 12 in de parochiezaal.",
           "Dank aan alle vrijwilligers van de kermis."),
    "en": ("Parish newsletter", "A word from the parish priest",
           "Since 2004 our parish has been twinned with a community in {P}.",
           "A collection for our friends in {P} will be taken after Mass.",
           "The choir rehearses every Thursday at 8 pm.", "This month",
           "The parish supper takes place on Saturday the 12th in the hall.",
           "Thank you to all the volunteers at the fair."),
}
SCHOOL = {
    "fr": ("Chers parents,", "Votre enfant participera au projet « Villes du monde ».",
           "Cette semaine, la classe étudie la ville de {P} : son histoire, son climat, ses habitants.",
           "Merci de fournir une boîte à chaussures et de la colle pour lundi.",
           "La réunion de parents aura lieu le mardi à 18 h.", "La titulaire, Mme {teacher}",
           "Talon à remettre signé :"),
    "nl": ("Beste ouders,", "Uw kind neemt deel aan het project ‘Steden van de wereld’.",
           "Deze week leert de klas over {P}: de geschiedenis, het klimaat, de mensen.",
           "Gelieve tegen maandag een schoenendoos en lijm mee te geven.",
           "Het oudercontact vindt plaats op dinsdag om 18 uur.", "De klasleerkracht, juf {teacher}",
           "Strookje ondertekend terugbezorgen:"),
    "en": ("Dear parents,", "Your child is taking part in our ‘Cities of the world’ project.",
           "This week the class is learning about {P}: its history, climate and people.",
           "Please send in a shoebox and some glue by Monday.",
           "The parents' evening is on Tuesday at 6 pm.", "The class teacher, Ms {teacher}",
           "Please return this slip signed:"),
}
TRAVEL = {
    "fr": ("Votre voyage", "Circuit découverte : {P} et ses environs, 8 jours.",
           "Vol, hôtel *** et guide francophone compris.", "Prix par personne en chambre double : {price} €.",
           "Départs garantis d'avril à octobre."),
    "nl": ("Uw reis", "Ontdekkingsreis: {P} en omgeving, 8 dagen.",
           "Vlucht, hotel *** en Nederlandstalige gids inbegrepen.", "Prijs per persoon in tweepersoonskamer: {price} €.",
           "Gegarandeerde vertrekken van april tot oktober."),
    "en": ("Your trip", "Discovery tour: {P} and surroundings, 8 days.",
           "Flight, 3-star hotel and English-speaking guide included.", "Price per person sharing: €{price}.",
           "Guaranteed departures from April to October."),
}

# ------------------------------------------------------------------ short lines (faint pages)

SHORT_LINES = {
    "fr": ("Merci pour tout.", "À rendre avant vendredi.", "Voir au verso.", "Bon courage !",
           "Reçu le 12/12.", "Pour information."),
    "nl": ("Bedankt voor alles.", "Terug tegen vrijdag.", "Zie ommezijde.", "Veel moed!",
           "Ontvangen op 12/12."),
    "en": ("Thank you for everything.", "Due back by Friday.", "See overleaf.", "Good luck!",
           "Received 12/12."),
}
