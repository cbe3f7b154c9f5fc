"""Content pools for `seed_demo`: an Italian telecom / fintech / retail support community.

Everything here is plain data plus small pure functions of a `random.Random`, so the same
seed always gives the same text. Posts are built from blocks (paragraphs, lists, fenced
code) joined by blank lines; the seeder renders each distinct block once and joins the
HTML, which is what rendering the whole body would give (the tests check that).

Slots are `{name}`; a template in language `lang` takes `name_<lang>` when that pool
exists, `name` otherwise.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

LANGS = ("it", "en")

SLOTS: dict[str, list[str]] = {
    "device": [
        "iPhone 15", "iPhone 13 mini", "iPhone SE", "Samsung Galaxy S24", "Galaxy A54",
        "Pixel 8", "Xiaomi Redmi Note 13", "Motorola Edge 40", "OPPO Reno 11", "Huawei P30",
        "Nokia G21", "Galaxy Z Flip5", "iPad Air", "Apple Watch Series 9", "Fairphone 5",
    ],
    "city": [
        "Milano", "Roma", "Napoli", "Torino", "Bologna", "Firenze", "Bari", "Palermo",
        "Genova", "Verona", "Padova", "Cagliari", "Trento", "Lecce", "Perugia", "Ancona",
    ],
    "operator": ["TIM", "Vodafone", "WindTre", "Iliad", "Fastweb", "ho. Mobile", "Kena", "Very Mobile"],
    "country_it": ["Francia", "Spagna", "Svizzera", "Regno Unito", "Albania", "Stati Uniti", "Grecia", "Croazia", "Turchia", "Egitto"],
    "country_en": ["France", "Spain", "Switzerland", "the UK", "Albania", "the US", "Greece", "Croatia", "Turkey", "Egypt"],
    "amount": ["4,99", "7,50", "9,99", "12,90", "15,00", "19,99", "29,00", "49,90", "120,00", "250,00"],
    "days": ["2", "3", "4", "5", "7", "10", "15"],
    "month_it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "novembre", "dicembre"],
    "month_en": ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November", "December"],
    # Error codes by where they come from, so a card's error is never a SIM's.
    "code_net": ["NET-17", "ERR_SIM_NOT_PROVISIONED", "PDP-33", "E102"],
    "code_esim": ["E-3021", "0x8007000E", "SIM_PIN2", "ESIM-404"],
    "code_auth": ["AUTH-009", "403", "SESSION_EXPIRED", "E-1107"],
    "code_pay": ["PAY-4012", "CARD_DECLINED", "3DS-05", "DO_NOT_HONOR"],
    "plan": ["Giga 100", "Unlimited 5G", "Start 50", "Family 200", "Smart 150", "Junior 30"],
    "bank": ["Intesa Sanpaolo", "UniCredit", "BPER", "Banca Sella", "Fineco", "BancoPosta", "Mediolanum", "Credem"],
    "product_it": ["router Wi-Fi 6", "smartwatch", "auricolari Bluetooth", "caricatore da 65 W", "power bank", "cover in silicone", "tablet da 11 pollici", "smart TV da 55 pollici", "aspirapolvere robot", "cuffie con cancellazione del rumore"],
    "product_en": ["Wi-Fi 6 router", "smartwatch", "Bluetooth earbuds", "65 W charger", "power bank", "silicone case", "11-inch tablet", "55-inch smart TV", "robot vacuum", "noise-cancelling headphones"],
    "hour": ["08:10", "09:45", "11:30", "13:05", "15:20", "18:40", "20:15", "22:50"],
    "order": ["IT-48213", "IT-50977", "IT-51230", "IT-60412", "IT-77045", "IT-80311"],
}  # fmt: skip

# The guides a question or answer may point to, by category (a bill question does not
# cite the APN guide).
GUIDES = {
    "billing": ["https://help.example.com/it/fattura-elettronica", "https://www.example.com/area-clienti"],
    "network": ["https://help.example.com/it/apn", "https://help.example.com/en/roaming", "https://status.example.com/"],
    "devices": ["https://help.example.com/it/esim", "https://help.example.com/it/apn"],
    "account": ["https://help.example.com/it/sicurezza-account", "https://www.example.com/area-clienti"],
    "porting": ["https://help.example.com/en/porting"],
    "payments": ["https://www.example.com/area-clienti"],
    "orders": ["https://www.example.com/area-clienti"],
}  # fmt: skip
LINKS = sorted({link for links in GUIDES.values() for link in links})

# (slug, English name, Italian name, description, tags of the area)
CATEGORIES = [
    ("billing", "Billing", "Fatturazione", "Bills, charges, top-ups and refunds.",
     ["fattura", "ricarica", "addebito", "rimborso", "offerte", "costi-extra", "promo"]),
    ("network", "Network", "Rete", "Coverage, mobile data, calls, roaming.",
     ["4g", "5g", "copertura", "roaming", "apn", "volte", "chiamate", "sms", "hotspot"]),
    ("devices", "Devices", "Dispositivi", "Phones, modems, eSIM and setup.",
     ["esim", "sim", "iphone", "android", "modem", "wifi", "dual-sim", "aggiornamento"]),
    ("account", "Account", "Account", "Sign-in, personal data, security.",
     ["login", "password", "spid", "2fa", "app", "dati-personali", "privacy"]),
    ("porting", "Porting", "Portabilità", "Moving your number in or out.",
     ["portabilita", "mnp", "sim", "codice-migrazione", "credito-residuo"]),
    ("payments", "Payments", "Pagamenti", "Cards, bank transfers, loans and instalments.",
     ["iban", "bonifico", "carta", "sdd", "rata", "prestito", "paypal"]),
    ("orders", "Orders & delivery", "Ordini e spedizioni", "Shop orders, shipping and returns.",
     ["ordine", "spedizione", "reso", "garanzia", "ritiro-in-negozio"]),
]  # fmt: skip
GENERAL_TAGS = ["urgente", "app", "sim", "area-clienti", "assistenza", "offerte"]
# Added now and then to any question: they fit whatever it is about.
ANY_QUESTION_TAGS = ["urgente", "assistenza"]

# What each tag is about (English, Italian): shown by the tag autocomplete.
TAG_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "fattura": ("Bills: reading them, downloading them, wrong amounts.", "Fatture: leggerle, scaricarle, importi sbagliati."),
    "ricarica": ("Top-ups by card, voucher or auto top-up.", "Ricariche con carta, codice o ricarica automatica."),
    "addebito": ("Charges you don't recognise or that came twice.", "Addebiti non riconosciuti o doppi."),
    "rimborso": ("Getting money back: credit, returns, wrong charges.", "Riavere i soldi: credito, resi, addebiti errati."),
    "offerte": ("Plans and offers, their prices and changes.", "Offerte e piani, prezzi e rimodulazioni."),
    "costi-extra": ("Premium services and unexpected costs.", "Servizi a pagamento e costi inattesi."),
    "promo": ("Time-limited promotions and what happens when they end.", "Promozioni a tempo e cosa succede alla scadenza."),
    "4g": ("4G/LTE mobile data.", "Dati mobili 4G/LTE."),
    "5g": ("5G coverage and compatible phones.", "Copertura 5G e telefoni compatibili."),
    "copertura": ("Signal strength indoors and outdoors.", "Segnale in casa e all'aperto."),
    "roaming": ("Using your line abroad.", "Usare la linea all'estero."),
    "apn": ("Access point settings for mobile data and MMS.", "Impostazioni del punto di accesso per dati e MMS."),
    "volte": ("Calls over 4G (VoLTE) and Wi-Fi calling.", "Chiamate in 4G (VoLTE) e chiamate Wi-Fi."),
    "chiamate": ("Calls that drop, fail or don't arrive.", "Chiamate che cadono, non partono o non arrivano."),
    "sms": ("Text messages, including banks' codes.", "Messaggi SMS, anche i codici delle banche."),
    "hotspot": ("Sharing your phone's connection.", "Condividere la connessione del telefono."),
    "esim": ("Digital SIMs: activation, QR codes, moving to a new phone.", "SIM digitali: attivazione, QR code, cambio telefono."),
    "sim": ("Physical SIM cards: PIN, PUK, replacement, not detected.", "SIM fisiche: PIN, PUK, sostituzione, non rilevata."),
    "iphone": ("Apple iPhone settings and problems.", "Impostazioni e problemi di iPhone."),
    "android": ("Android phones' settings and problems.", "Impostazioni e problemi dei telefoni Android."),
    "modem": ("Home routers and modems.", "Router e modem di casa."),
    "wifi": ("Home Wi-Fi speed and range.", "Velocità e portata del Wi-Fi di casa."),
    "dual-sim": ("Two lines in one phone: which one carries data and calls.", "Due linee in un telefono: quale usa dati e chiamate."),
    "aggiornamento": ("Software and firmware updates.", "Aggiornamenti di software e firmware."),
    "login": ("Signing in to the app and the customer area.", "Accesso all'app e all'area clienti."),
    "password": ("Passwords: resetting and changing them.", "Password: recuperarle e cambiarle."),
    "spid": ("Signing in with SPID, Italy's digital identity.", "Accesso con SPID, l'identità digitale."),
    "2fa": ("Two-step verification.", "Verifica in due passaggi."),
    "app": ("The mobile app.", "L'app per smartphone."),
    "dati-personali": ("Your personal data: changing or deleting it.", "I tuoi dati personali: modificarli o cancellarli."),
    "privacy": ("Privacy, consent and suspicious messages.", "Privacy, consensi e messaggi sospetti."),
    "portabilita": ("Moving your number between operators.", "Portare il numero da un operatore all'altro."),
    "mnp": ("Mobile number portability (MNP) requests.", "Richieste di portabilità del numero (MNP)."),
    "codice-migrazione": ("The migration code for changing operator.", "Il codice di migrazione per cambiare operatore."),
    "credito-residuo": ("Credit left on a line you close or move.", "Credito rimasto su una linea chiusa o portata."),
    "iban": ("Bank account numbers for payments and refunds.", "Coordinate bancarie per pagamenti e rimborsi."),
    "bonifico": ("Bank transfers and how long they take.", "Bonifici e tempi di accredito."),
    "carta": ("Paying by card, declined cards, 3-D Secure.", "Pagare con carta, carte rifiutate, 3-D Secure."),
    "sdd": ("Direct debit (SEPA) mandates.", "Mandati di addebito diretto (SEPA SDD)."),
    "rata": ("Instalments: dates, amounts, double charges.", "Rate: date, importi, addebiti doppi."),
    "prestito": ("Loans: early repayment and statements.", "Prestiti: estinzione anticipata e rendiconti."),
    "paypal": ("Paying with PayPal.", "Pagare con PayPal."),
    "ordine": ("Shop orders and their status.", "Ordini del negozio e il loro stato."),
    "spedizione": ("Shipping, couriers and tracking.", "Spedizioni, corrieri e tracking."),
    "reso": ("Returns and their refunds.", "Resi e relativi rimborsi."),
    "garanzia": ("Warranty claims and repairs.", "Garanzia e riparazioni."),
    "ritiro-in-negozio": ("Picking up an order in store.", "Ritiro dell'ordine in negozio."),
    "urgente": ("Problems that can't wait.", "Problemi che non possono aspettare."),
    "area-clienti": ("The online customer area.", "L'area clienti online."),
    "assistenza": ("Reaching customer support.", "Contattare l'assistenza."),
}  # fmt: skip


@dataclass(frozen=True)
class Topic:
    """What a question is about: its titles, intros, details and code blocks (indices
    into QUESTIONS[category][lang]), the tags that fit it and the advice that answers it
    (templates per language)."""

    key: str
    titles: tuple[int, ...]
    intros: tuple[int, ...]
    advice: dict[str, list[str]]
    details: tuple[int, ...] = ()
    code: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()


# Titles, question openings and details per category and language.
QUESTIONS: dict[str, dict[str, dict[str, list[str]]]] = {
    "billing": {
        "it": {
            "titles": [
                "Addebito di {amount} € in fattura che non riconosco",
                "Fattura di {month} più alta del solito con l'offerta {plan}",
                "Ricarica da {amount} € non accreditata dopo {days} giorni",
                "Addebiti extra per servizi in abbonamento mai attivati",
                "Come scarico la fattura di {month} in PDF?",
                "Rimborso del credito residuo: quanto ci vuole?",
                "Doppio addebito della ricarica automatica su {bank}",
                "Perché pago {amount} € in più da {month}?",
                "Promo {plan} scaduta senza preavviso, cosa posso fare?",
                "Fattura intestata alla persona sbagliata dopo il cambio titolare",
            ],
            "intros": [
                "Buongiorno, nella fattura di {month} trovo un addebito di {amount} € che non riesco a capire.",
                "Ciao a tutti, ho fatto una ricarica di {amount} € alle {hour} ma il credito non è cambiato.",
                "Da {month} la mia offerta {plan} costa di più e nessuno mi ha avvisato.",
                "Salve, mi sono accorto di due addebiti identici sul conto {bank}.",
                "Ho ricevuto un SMS che parla di servizi in abbonamento che non ho mai chiesto.",
                "Dopo il cambio titolare le fatture arrivano ancora intestate alla persona di prima, anche quella di {month}.",
                "Ho chiuso la linea a {month} e avevo ancora {amount} € di credito: vorrei il rimborso.",
                "Mi serve la fattura di {month} in PDF per il commercialista, ma nell'app vedo solo le ultime tre.",
            ],
            "details": [
                'Nell\'area clienti la voce compare come "servizi digitali" senza altri dettagli.',
                "Ho controllato l'app e lo storico ricariche è vuoto per quel giorno.",
                "Il blocco dei servizi a pagamento dovrebbe essere attivo da anni.",
                'La promozione era indicata come "per sempre" quando l\'ho attivata.',
                "Non è la prima volta, era già successo qualche mese fa.",
                "Ho la domiciliazione su carta e vorrei evitare di contestare l'addebito in banca.",
            ],
        },
        "en": {
            "titles": [
                "Unknown {amount} € charge on my bill",
                "{month} bill much higher than usual on the {plan} plan",
                "Top-up of {amount} € not credited after {days} days",
                "Charged for premium subscriptions I never signed up for",
                "How do I download my {month} invoice as a PDF?",
                "Refund of remaining credit: how long does it take?",
                "Auto top-up charged twice on my {bank} card",
                "Why am I paying {amount} € more since {month}?",
                "{plan} promo ended without notice, what can I do?",
                "Bill in the wrong person's name after a change of holder",
            ],
            "intros": [
                "Hi all, my {month} bill has a {amount} € charge I can't explain.",
                "Hello, I topped up {amount} € at {hour} but my balance hasn't changed.",
                "Since {month} my {plan} plan costs more and nobody told me.",
                "I just noticed two identical charges on my {bank} account.",
                "I got a text about a premium subscription I never asked for.",
                "Since the change of holder my bills still carry the previous holder's name, {month}'s too.",
                "I closed my line in {month} with {amount} € of credit left and would like it back.",
                "I need my {month} invoice as a PDF for my accountant, but the app only shows the last three.",
            ],
            "details": [
                'In the customer area it only says "digital services", nothing else.',
                "The app's top-up history is empty for that day.",
                "I'm fairly sure premium services have been blocked on my line for years.",
                'The offer was advertised as "forever" when I signed up.',
                "This isn't the first time, it already happened a few months ago.",
                "I pay by card and would rather not dispute the charge with my bank.",
            ],
        },
    },
    "network": {
        "it": {
            "titles": [
                "Niente 4G a {city} da {days} giorni",
                "Il 5G compare ma internet non funziona sul {device}",
                "Chiamate che cadono dopo pochi secondi a {city}",
                "Roaming in {country} attivo ma nessuna rete dati",
                "Impostazioni APN corrette per {device}?",
                "Hotspot lentissimo con l'offerta {plan}",
                "VoLTE non disponibile sul {device}",
                "Non ricevo gli SMS di conferma della banca",
                "Copertura assente in casa a {city}, solo una tacca",
                "Errore {code_net} quando provo a navigare",
            ],
            "intros": [
                "Ciao, da {days} giorni a {city} il telefono resta in 3G o senza rete dati.",
                "Sono in {country} per lavoro, il roaming risulta attivo ma non navigo.",
                "Con il {device} le chiamate cadono dopo pochi secondi, soprattutto in casa dove il segnale è debole.",
                "Da stamattina alle {hour} compare l'errore {code_net} appena apro il browser.",
                "Ho appena cambiato telefono e sul {device} internet non va.",
                "Uso spesso l'hotspot del telefono per lavorare con il portatile, ma da {month} è lentissimo.",
                "La banca mi manda il codice via SMS per confermare i pagamenti, ma non arriva nulla.",
                "Sul {device} l'opzione VoLTE non compare e durante le chiamate il telefono scende in 3G.",
            ],
            "details": [
                "Il credito c'è e i giga residui sono più di 40.",
                "Ho già provato la modalità aereo e un riavvio completo.",
                "Mio marito ha la stessa offerta e a lui funziona tutto.",
                "Sulla mappa di copertura la zona risulta coperta in 5G.",
                "Il problema si presenta solo la sera, di giorno va tutto bene.",
                "Ho controllato: la SIM è quella nuova arrivata la settimana scorsa.",
            ],
            "code": [
                "APN: {apn}\nNome utente: (vuoto)\nPassword: (vuoto)\nMCC: 222\nMNC: {mnc}\nTipo APN: default,supl",
                "{hour}:12 modem: registration denied (cause 15)\n{hour}:12 modem: fallback to 3G\n{hour}:13 data: PDP context rejected, {code_net}",
            ],
        },
        "en": {
            "titles": [
                "No 4G in {city} for {days} days",
                "5G icon shows but no internet on my {device}",
                "Calls drop after a few seconds in {city}",
                "Roaming in {country} is on but no mobile data",
                "Correct APN settings for the {device}?",
                "Hotspot extremely slow on the {plan} plan",
                "VoLTE not available on my {device}",
                "Not receiving bank confirmation texts",
                "Almost no coverage indoors in {city}",
                "Error {code_net} whenever I try to browse",
            ],
            "intros": [
                "Hi, for {days} days in {city} my phone has been stuck on 3G or with no data at all.",
                "I'm in {country} for work; roaming shows as active but nothing loads.",
                "Calls on my {device} drop after a few seconds, mostly at home where the signal is weak.",
                "Since {hour} this morning I get error {code_net} as soon as I open the browser.",
                "I just switched phones and mobile data doesn't work on the {device}.",
                "I often share my phone's hotspot with my laptop for work, but since {month} it crawls.",
                "My bank texts me a code to confirm payments, but nothing arrives.",
                "My {device} has no VoLTE switch and drops to 3G during every call.",
            ],
            "details": [
                "I have credit and more than 40 GB left.",
                "I already tried airplane mode and a full restart.",
                "My partner has the same plan and everything works for them.",
                "The coverage map says my street has 5G.",
                "It only happens in the evening, during the day it's fine.",
                "The SIM is the new one that arrived last week.",
            ],
            "code": [
                "APN: {apn}\nUsername: (empty)\nPassword: (empty)\nMCC: 222\nMNC: {mnc}\nAPN type: default,supl",
                "{hour}:12 modem: registration denied (cause 15)\n{hour}:12 modem: fallback to 3G\n{hour}:13 data: PDP context rejected, {code_net}",
            ],
        },
    },
    "devices": {
        "it": {
            "titles": [
                "Come attivo la eSIM sul {device}?",
                'Il QR code della eSIM dice "codice non valido"',
                "Il {device} non riconosce la SIM dopo l'aggiornamento",
                "Modem che si riavvia da solo ogni sera alle {hour}",
                "Dual SIM sul {device}: i dati passano sulla SIM sbagliata",
                "PIN bloccato, dove trovo il PUK?",
                "Wi-Fi del modem lento solo con il {device}",
                "Trasferire la eSIM dal vecchio al nuovo {device}",
                'Il {device} mostra "Nessuna SIM" a intermittenza',
            ],
            "intros": [
                "Ciao, ho comprato un {device} e vorrei passare alla eSIM senza perdere il numero.",
                "Dopo l'ultimo aggiornamento il {device} non vede più la SIM.",
                "Il modem si riavvia da solo tutte le sere intorno alle {hour}.",
                "Ho sbagliato il PIN tre volte e ora il telefono chiede il PUK.",
                "Scansiono il QR code ricevuto via e-mail ma compare l'errore {code_esim}.",
                "Ho due SIM nel {device} e i dati passano da quella senza offerta.",
                "Più volte al giorno il {device} perde la SIM per qualche minuto, poi torna da sola.",
                "Il Wi-Fi del modem va a scatti sul {device}, mentre il portatile nella stessa stanza va benissimo.",
            ],
            "details": [
                "La SIM fisica funziona su un altro telefono, quindi non è rotta.",
                "Il modem è quello fornito in comodato d'uso, firmware aggiornato.",
                "Ho già ripristinato le impostazioni di rete.",
                "Il negozio mi ha detto di chiedere qui prima di cambiare la SIM.",
                "Uso il telefono anche per lavoro, quindi mi serve risolvere in fretta.",
            ],
            "code": [
                "Impostazioni > Cellulare > Aggiungi eSIM\nErrore: {code_esim}\nIMEI 2: 35 XXXXXX XXXXXX 7\nEID: 8904 9032 XXXX XXXX",
                "syslog {hour}:02 wan0 link down\nsyslog {hour}:02 watchdog: reboot requested\nsyslog {hour}:04 wan0 PPP up, ip 100.64.12.7",
            ],
        },
        "en": {
            "titles": [
                "How do I activate an eSIM on the {device}?",
                'eSIM QR code says "invalid code"',
                "{device} doesn't detect the SIM after the update",
                "Router reboots by itself every night at {hour}",
                "Dual SIM on the {device}: data goes through the wrong line",
                "PIN blocked, where do I find my PUK?",
                "Router Wi-Fi slow only with my {device}",
                "Moving my eSIM from the old to the new {device}",
                '{device} keeps showing "No SIM" on and off',
            ],
            "intros": [
                "Hi, I bought a {device} and I'd like to switch to eSIM without losing my number.",
                "Since the last update my {device} no longer sees the SIM.",
                "The router reboots by itself every night around {hour}.",
                "I typed the wrong PIN three times and now the phone asks for the PUK.",
                "I scan the QR code from the e-mail but get error {code_esim}.",
                "I have two SIMs in my {device} and data goes through the one without a plan.",
                "Several times a day my {device} loses the SIM for a few minutes, then it comes back.",
                "The router's Wi-Fi stutters on my {device}, while the laptop in the same room is fine.",
            ],
            "details": [
                "The physical SIM works in another phone, so it isn't broken.",
                "The router is the one the company lent me, firmware up to date.",
                "I already reset the network settings.",
                "The shop told me to ask here before replacing the SIM.",
                "I use the phone for work, so I need this fixed soon.",
            ],
            "code": [
                "Settings > Mobile > Add eSIM\nError: {code_esim}\nIMEI 2: 35 XXXXXX XXXXXX 7\nEID: 8904 9032 XXXX XXXX",
                "syslog {hour}:02 wan0 link down\nsyslog {hour}:02 watchdog: reboot requested\nsyslog {hour}:04 wan0 PPP up, ip 100.64.12.7",
            ],
        },
    },
    "account": {
        "it": {
            "titles": [
                "Non riesco ad accedere all'app: errore {code_auth}",
                "Codice di verifica via SMS che non arriva mai",
                "Accesso con SPID non funziona dall'area clienti",
                "Come cambio l'e-mail associata al mio account?",
                "Account bloccato dopo troppi tentativi di login",
                "Ho ricevuto un'e-mail sospetta a nome vostro: è phishing?",
                "Come attivo la verifica in due passaggi?",
                "Voglio cancellare i miei dati personali, come faccio?",
            ],
            "intros": [
                "Da ieri l'app mi dà l'errore {code_auth} appena inserisco la password.",
                "Provo ad accedere ma il codice via SMS non arriva, ho provato {days} volte.",
                "Ho cambiato numero e ora non riesco più a ricevere il codice di accesso.",
                "Stamattina alle {hour} ho ricevuto un'e-mail che mi chiede di aggiornare i dati della carta.",
                "Vorrei aggiungere la verifica in due passaggi ma non trovo l'opzione.",
                "Vorrei aggiornare i miei dati personali, o cancellarli del tutto, ma non trovo dove.",
                "Nell'area clienti scelgo SPID, confermo dall'app del gestore e torno alla pagina di accesso.",
            ],
            "details": [
                "Ho già reinstallato l'app e svuotato la cache.",
                "Dal computer riesco ad entrare, solo l'app dà problemi.",
                "Il link dell'e-mail porta a un dominio strano, non l'ho aperto.",
                "Uso un gestore di password, quindi sono sicuro che sia giusta.",
                "L'assistenza telefonica mi ha rimandato al forum.",
            ],
        },
        "en": {
            "titles": [
                "Can't sign in to the app: error {code_auth}",
                "SMS verification code never arrives",
                "SPID sign-in not working in the customer area",
                "How do I change the e-mail on my account?",
                "Account locked after too many sign-in attempts",
                "Got a suspicious e-mail in your name: is it phishing?",
                "How do I turn on two-step verification?",
                "I want my personal data deleted, how?",
            ],
            "intros": [
                "Since yesterday the app shows error {code_auth} as soon as I enter my password.",
                "I try to sign in but the SMS code never arrives; I tried {days} times.",
                "I changed my number and now can't receive the sign-in code.",
                "This morning at {hour} I got an e-mail asking me to update my card details.",
                "I'd like to add two-step verification but can't find the option.",
                "I'd like to update my personal data, or have it deleted altogether, but can't find where.",
                "In the customer area I pick SPID, confirm in my provider's app and land back on the sign-in page.",
            ],
            "details": [
                "I already reinstalled the app and cleared its cache.",
                "Signing in from the computer works, only the app fails.",
                "The link in the e-mail goes to an odd domain, I didn't open it.",
                "I use a password manager, so I'm sure the password is right.",
                "Phone support sent me to the forum.",
            ],
        },
    },
    "porting": {
        "it": {
            "titles": [
                "Portabilità da {operator} ferma da {days} giorni",
                "Dove trovo il codice di migrazione per passare da {operator}?",
                "Il credito residuo non è stato trasferito con la portabilità",
                "Portabilità completata ma il vecchio numero non funziona",
                "Posso fare la portabilità di un numero intestato a mia madre?",
                "Data della portabilità spostata senza motivo",
            ],
            "intros": [
                "Ciao, ho chiesto la portabilità da {operator} {days} giorni fa e non è ancora completata.",
                "Sto passando da {operator} e mi chiedono il codice di migrazione.",
                "La portabilità è andata a buon fine ma il credito di {amount} € è sparito.",
                "Da stamattina alle {hour} la nuova SIM è attiva ma non ricevo chiamate.",
                "Il numero è intestato a un familiare e vorrei portarlo sulla mia offerta {plan}.",
            ],
            "details": [
                "Il codice fiscale e il seriale della vecchia SIM li ho ricontrollati.",
                "Nel frattempo la vecchia SIM funziona ancora.",
                'Sul sito lo stato della richiesta è "in lavorazione".',
                "Ho bisogno del numero per l'home banking, quindi è abbastanza urgente.",
            ],
        },
        "en": {
            "titles": [
                "Number transfer from {operator} stuck for {days} days",
                "Where do I find the migration code to leave {operator}?",
                "Remaining credit not moved with the number transfer",
                "Transfer completed but my old number doesn't work",
                "Can I transfer a number registered to my mother?",
                "Transfer date moved for no reason",
            ],
            "intros": [
                "Hi, I requested a number transfer from {operator} {days} days ago and it's still not done.",
                "I'm leaving {operator} and they ask me for a migration code.",
                "The transfer went through but my {amount} € credit is gone.",
                "Since {hour} this morning the new SIM works but I can't receive calls.",
                "The number belongs to a relative and I'd like to move it to my {plan} plan.",
            ],
            "details": [
                "I double-checked the tax code and the old SIM's serial number.",
                "Meanwhile the old SIM still works.",
                'The website says the request is "in progress".',
                "I need the number for online banking, so it's fairly urgent.",
            ],
        },
    },
    "payments": {
        "it": {
            "titles": [
                "Bonifico di {amount} € non ancora arrivato dopo {days} giorni",
                "Come cambio l'IBAN per l'addebito diretto SDD?",
                "Carta rifiutata con errore {code_pay} al pagamento",
                "Rata del prestito addebitata due volte a {month}",
                "Posso estinguere il prestito in anticipo?",
                "Pagamento con PayPal bloccato in fase di conferma",
                "Il mio IBAN risulta non valido ma è corretto",
            ],
            "intros": [
                "Ho fatto un bonifico di {amount} € da {bank} {days} giorni fa e non risulta ancora.",
                "Vorrei spostare l'addebito delle rate su un altro conto {bank}.",
                "Al momento del pagamento la carta viene rifiutata con il codice {code_pay}.",
                "La rata di {month} del prestito mi è stata addebitata due volte.",
                "Ho un prestito da {amount} € e vorrei chiuderlo prima della scadenza.",
                "Pago con PayPal, la pagina di conferma resta a caricare e poi torna al carrello.",
            ],
            "details": [
                "La banca dice che il bonifico è partito regolarmente.",
                "Su altri siti lo stesso metodo di pagamento funziona senza problemi.",
                "L'IBAN l'ho copiato direttamente dall'home banking.",
                "Ho già caricato il modulo firmato nell'area clienti.",
                "Vorrei sapere anche se ci sono penali.",
            ],
            "code": [
                "IBAN: IT60 X054 2811 1010 0000 0123 456\nBIC: BPPIITRRXXX\nCausale: rata prestito {month}",
                "payment_id=pay_7f3a{days}c status=declined\nreason={code_pay}\n3ds=challenge_failed",
            ],
        },
        "en": {
            "titles": [
                "Bank transfer of {amount} € still missing after {days} days",
                "How do I change the IBAN for direct debit?",
                "Card declined with error {code_pay} at checkout",
                "Loan instalment charged twice in {month}",
                "Can I pay off my loan early?",
                "PayPal payment stuck at confirmation",
                "My IBAN is rejected as invalid but it's correct",
            ],
            "intros": [
                "I sent a {amount} € transfer from {bank} {days} days ago and it hasn't shown up.",
                "I'd like to move my instalments to another {bank} account.",
                "At checkout my card is declined with code {code_pay}.",
                "My {month} loan instalment was charged twice.",
                "I have a {amount} € loan and would like to close it early.",
                "I pay with PayPal, the confirmation page keeps loading and then goes back to the cart.",
            ],
            "details": [
                "The bank says the transfer went out normally.",
                "The same payment method works fine on other websites.",
                "I copied the IBAN straight from my online banking.",
                "I already uploaded the signed form in the customer area.",
                "I'd also like to know about any early repayment fees.",
            ],
            "code": [
                "IBAN: IT60 X054 2811 1010 0000 0123 456\nBIC: BPPIITRRXXX\nReference: loan instalment {month}",
                "payment_id=pay_7f3a{days}c status=declined\nreason={code_pay}\n3ds=challenge_failed",
            ],
        },
    },
    "orders": {
        "it": {
            "titles": [
                'Ordine {order} fermo "in preparazione" da {days} giorni',
                "Reso del {product}: quando arriva il rimborso?",
                "Il {product} è arrivato danneggiato, cosa faccio?",
                "Ritiro in negozio a {city}: serve un documento?",
                "Garanzia del {product} dopo 13 mesi",
                "Spedizione consegnata ma il pacco non c'è",
            ],
            "intros": [
                "Ciao, ho ordinato un {product} (ordine {order}) e da {days} giorni è fermo.",
                "Ho restituito il {product} a {month} e il rimborso di {amount} € non è arrivato.",
                "Il corriere ha lasciato il pacco alle {hour} ma il {product} è arrivato rotto, con la scatola schiacciata.",
                "Ho scelto il ritiro nel negozio di {city} per l'ordine {order}, un {product}.",
                "Il tracking dice consegnato ma a casa non è arrivato niente.",
                "Il {product} comprato poco più di un anno fa si è guastato e il negozio dice che la garanzia è scaduta.",
            ],
            "details": [
                "Ho conservato la scatola originale e lo scontrino.",
                "Il tracking non si aggiorna da lunedì.",
                "Ho pagato con carta, l'importo è già stato addebitato.",
                "Nessuno dei vicini ha ritirato il pacco.",
            ],
        },
        "en": {
            "titles": [
                'Order {order} stuck "being prepared" for {days} days',
                "Returned my {product}: when do I get the refund?",
                "My {product} arrived damaged, what now?",
                "Store pick-up in {city}: do I need ID?",
                "Warranty on a {product} after 13 months",
                "Parcel marked delivered but it isn't here",
            ],
            "intros": [
                "Hi, I ordered a {product} (order {order}) and it hasn't moved for {days} days.",
                "I returned my {product} in {month} and the {amount} € refund never came.",
                "The courier left the parcel at {hour} but the {product} arrived broken, in a crushed box.",
                "I chose pick-up at the {city} store for order {order}, a {product}.",
                "Tracking says delivered but nothing arrived at home.",
                "The {product} I bought a year ago broke and the store says the warranty is over.",
            ],
            "details": [
                "I kept the original box and the receipt.",
                "Tracking hasn't updated since Monday.",
                "I paid by card and the amount has already been taken.",
                "None of my neighbours took the parcel.",
            ],
        },
    },
}

APNS = [("internet.example.it", "10"), ("web.example.it", "88"), ("mobile.example.it", "50")]

TRIED = {
    "it": {
        "lead": ["Ho già provato:", "Cose che ho già fatto:", "Finora ho provato a:"],
        "items": [
            "riavviare il telefono", "togliere e rimettere la SIM", "attivare e disattivare la modalità aereo",
            "aggiornare l'app all'ultima versione", "chiamare il servizio clienti", "controllare l'area clienti",
            "provare da un altro telefono", "ripristinare le impostazioni di rete", "aspettare 24 ore",
            "scrivere in chat all'assistenza",
        ],
    },
    "en": {
        "lead": ["What I already tried:", "So far I have:", "Things I did already:"],
        "items": [
            "restarted the phone", "taken the SIM out and put it back", "toggled airplane mode",
            "updated the app to the latest version", "called customer service", "checked the customer area",
            "tried another phone", "reset the network settings", "waited 24 hours",
            "written to support in the chat",
        ],
    },
}  # fmt: skip

CODE_LEAD = {
    "it": ["Queste sono le impostazioni che vedo:", "Ecco il log:", "Incollo quello che compare:"],
    "en": ["These are the settings I see:", "Here is the log:", "Pasting what I see:"],
}
# A support ticket number: seven random digits, so full-text search has genuinely rare terms.
TICKET_LINE = {
    "it": [
        "Ho già aperto la segnalazione n. {ticket}, ma è ancora in lavorazione.",
        "Il numero della pratica è {ticket}, se può servire.",
    ],
    "en": [
        "I already opened ticket #{ticket}, still in progress.",
        "My case number is {ticket}, in case it helps.",
    ],
}
LINK_LINE = {
    "it": [
        "Ho seguito la guida {link} ma non è cambiato nulla.",
        "Ho letto {link} ma non trovo la risposta.",
    ],
    "en": [
        "I followed the guide at {link} but nothing changed.",
        "I read {link} and couldn't find the answer.",
    ],
}
CLOSINGS = {
    "it": [
        "Qualcuno ha avuto lo stesso problema?", "Grazie in anticipo a chi risponde!",
        "Cosa mi consigliate?", "Ogni suggerimento è benvenuto.", "Grazie mille.",
        "Sapete se è un problema noto?",
    ],
    "en": [
        "Has anyone had the same problem?", "Thanks in advance!", "What would you suggest?",
        "Any tips are welcome.", "Many thanks.", "Is this a known issue?",
    ],
}  # fmt: skip

# What each question is about, per category: a topic names the titles, intros, details
# and code blocks it is made of (indices into QUESTIONS[category][lang], the same in both
# languages), the tags that fit it and the advice that answers it. A title, its body, its
# tags and its answers all come from one topic and share one draw of each slot (the same
# code, month, device...), so none contradicts another (tests/demo/test_story.py).
_APN = {
    "it": "Quasi sempre è l'APN: controlla che sia impostato **{apn}** e che non ce ne siano altri attivi.",
    "en": "It's almost always the APN: make sure it's set to **{apn}** and that no other APN is active.",
}
_MASTS = {
    "it": "A {city} c'è un lavoro programmato sulle antenne in questi giorni, lo trovi sulla pagina di stato.",
    "en": "There's planned work on the masts in {city} these days, it's listed on the status page.",
}
_ESIM = {
    "it": "Per la eSIM serve un QR code nuovo ogni volta: quello vecchio vale una sola installazione.",
    "en": "An eSIM needs a fresh QR code every time: the old one only works for one install.",
}

TOPICS: dict[str, list[Topic]] = {
    "billing": [
        Topic("charge", (0, 3), (0, 4), {
            "it": [
                "Quell'importo di solito è un servizio a pagamento attivato da un banner: puoi chiederne il rimborso dall'area clienti, sezione **Costi e servizi**.",
                "Attiva il **blocco dei servizi a pagamento** in area clienti: è gratuito e impedisce nuovi addebiti di questo tipo.",
            ],
            "en": [
                "That amount is usually a premium service started from a banner: you can ask for a refund in the customer area under **Costs and services**.",
                "Turn on the **premium services block** in the customer area: it's free and stops new charges like this one.",
            ],
        }, details=(0, 2, 4, 5), tags=("addebito", "costi-extra")),
        Topic("increase", (1, 7, 8), (2,), {
            "it": [
                "L'aumento da {month} è una rimodulazione: avevi diritto al recesso gratuito entro 60 giorni dalla comunicazione via SMS.",
                "Le promo a tempo tornano al prezzo pieno alla scadenza; in app, sezione **Offerte per te**, di solito c'è un'offerta equivalente per chi è già cliente.",
            ],
            "en": [
                "The increase since {month} is a plan change: you could leave for free within 60 days of the text message.",
                "Time-limited promos go back to full price when they end; the app's **Offers for you** section usually has an equivalent one for existing customers.",
            ],
        }, details=(3, 4), tags=("offerte", "promo")),
        Topic("topup", (2,), (1,), {
            "it": [
                "Le ricariche con carta a volte restano in sospeso fino a {days} giorni; se non compare entro allora, apri una segnalazione con l'ID della transazione.",
            ],
            "en": [
                "Card top-ups sometimes stay pending for up to {days} days; if it doesn't show up by then, open a ticket with the transaction ID.",
            ],
        }, details=(1, 4), tags=("ricarica",)),
        Topic("double-topup", (6,), (3,), {
            "it": [
                "Il doppio addebito della ricarica automatica viene stornato da solo entro {days} giorni lavorativi: il secondo è solo una preautorizzazione della banca.",
            ],
            "en": [
                "A doubled auto top-up is reversed by itself within {days} working days: the second one is only the bank's pre-authorisation.",
            ],
        }, details=(4, 5), tags=("ricarica", "addebito")),
        Topic("invoice", (4,), (7,), {
            "it": [
                "La fattura in PDF la trovi in **Area clienti > Fatture > Archivio**, anche quelle degli ultimi 10 anni.",
            ],
            "en": [
                "You'll find the PDF in **Customer area > Bills > Archive**, going back 10 years.",
            ],
        }, tags=("fattura",)),
        Topic("holder", (9,), (5,), {
            "it": [
                "Dopo il cambio titolare le fatture nuove sono intestate correttamente; per quelle già emesse chiedi la riemissione dall'area clienti.",
            ],
            "en": [
                "After a change of holder new bills carry the right name; for the ones already issued, ask for a reissue in the customer area.",
            ],
        }, tags=("fattura",)),
        Topic("refund", (5,), (6,), {
            "it": [
                "Il rimborso del credito residuo arriva entro 30 giorni dalla richiesta, con bonifico sull'IBAN che indichi nel modulo.",
            ],
            "en": [
                "The remaining credit is refunded within 30 days of the request, by transfer to the IBAN you give in the form.",
            ],
        }, tags=("rimborso", "credito-residuo")),
    ],
    "network": [
        Topic("data", (0,), (0,), {
            "it": [_APN["it"], _MASTS["it"]],
            "en": [_APN["en"], _MASTS["en"]],
        }, details=(0, 1, 2, 3, 4), code=(1,), tags=("4g", "copertura", "apn")),
        Topic("apn", (1, 4), (4,), {
            "it": [_APN["it"]],
            "en": [_APN["en"]],
        }, details=(0, 1, 5), code=(0,), tags=("apn",)),
        Topic("error", (9,), (3,), {
            "it": [_APN["it"]],
            "en": [_APN["en"]],
        }, details=(0, 1, 2), code=(1,), tags=("apn",)),
        Topic("roaming", (3,), (1,), {
            "it": [
                "Per il roaming in {country} devi attivare anche il roaming dati nelle impostazioni del telefono, non basta l'opzione.",
            ],
            "en": [
                "For roaming in {country} you also have to switch on data roaming in the phone settings, the add-on isn't enough.",
            ],
        }, details=(1, 2), tags=("roaming",)),
        Topic("calls", (2, 8), (2,), {
            "it": [
                "In casa attiva le **chiamate Wi-Fi**: le chiamate passano dalla tua rete e non cadono più dove il segnale è debole.",
            ],
            "en": [
                "At home, turn on **Wi-Fi calling**: calls go through your own network and stop dropping where the signal is weak.",
            ],
        }, details=(1, 2, 4, 5), tags=("chiamate", "copertura")),
        Topic("volte", (6,), (7,), {
            "it": [
                "Se il VoLTE non compare, il {device} potrebbe avere un firmware di un altro operatore: aggiornalo e riavvia.",
            ],
            "en": [
                "If VoLTE doesn't show up, the {device} may run another carrier's firmware: update it and restart.",
            ],
        }, details=(1, 5), tags=("volte", "chiamate")),
        Topic("hotspot", (5,), (5,), {
            "it": [
                "Con l'offerta {plan} l'hotspot è limitato a 10 Mbit/s: lo vedi nelle condizioni dell'offerta, alla voce **Tethering**.",
            ],
            "en": [
                "On the {plan} plan the hotspot is capped at 10 Mbit/s: it's in the plan's terms under **Tethering**.",
            ],
        }, details=(1, 4), tags=("hotspot",)),
        Topic("sms", (7,), (6,), {
            "it": [
                "Gli SMS delle banche arrivano da mittenti alfanumerici: se in area clienti hai il **blocco SMS da mittenti sconosciuti**, disattivalo.",
            ],
            "en": [
                "Bank texts come from alphanumeric senders: if the customer area has **Block texts from unknown senders** on, switch it off.",
            ],
        }, details=(1, 5), tags=("sms",)),
    ],
    "devices": [
        Topic("esim", (0, 7), (0,), {"it": [_ESIM["it"]], "en": [_ESIM["en"]]},
              details=(2, 3, 4), tags=("esim",)),
        Topic("esim-qr", (1,), (4,), {"it": [_ESIM["it"]], "en": [_ESIM["en"]]},
              details=(2, 3), code=(0,), tags=("esim",)),
        Topic("sim", (2,), (1,), {
            "it": [
                "Dopo l'aggiornamento, sul {device} va riattivata la linea in **Impostazioni > Cellulare**.",
            ],
            "en": [
                "After the update, the line has to be switched back on in **Settings > Mobile** on the {device}.",
            ],
        }, details=(0, 2, 3, 4), tags=("sim", "aggiornamento")),
        Topic("sim-flaky", (8,), (6,), {
            "it": [
                "Se la SIM va e viene, pulisci i contatti e prova nell'altro slot; se continua, la sostituzione in negozio è gratuita.",
            ],
            "en": [
                "If the SIM comes and goes, clean the contacts and try the other slot; if it keeps happening, a replacement in store is free.",
            ],
        }, details=(0, 2, 3, 4), tags=("sim",)),
        Topic("pin", (5,), (3,), {
            "it": [
                "Il PUK è sul supporto plastico della SIM, oppure in app in **Linea > SIM > Codici**.",
            ],
            "en": [
                "The PUK is on the plastic card the SIM came in, or in the app under **Line > SIM > Codes**.",
            ],
        }, details=(3, 4), tags=("sim",)),
        Topic("router", (3,), (2,), {
            "it": [
                "Il riavvio notturno del modem è l'aggiornamento automatico del firmware: puoi cambiare l'orario dal pannello del router.",
            ],
            "en": [
                "The nightly router reboot is the automatic firmware update: you can move it in the router panel.",
            ],
        }, details=(1,), code=(1,), tags=("modem",)),
        Topic("wifi", (6,), (7,), {
            "it": [
                "Collega il {device} alla rete a 5 GHz del modem e scegli un canale fisso: quella a 2,4 GHz è affollata dai vicini.",
            ],
            "en": [
                "Put the {device} on the router's 5 GHz network with a fixed channel: the 2.4 GHz one is crowded by the neighbours.",
            ],
        }, details=(1,), tags=("wifi", "modem")),
        Topic("dual-sim", (4,), (5,), {
            "it": [
                "Sul {device} scegli la linea per i dati in **Impostazioni > Cellulare > Dati cellulare** e disattiva **Consenti passaggio dati cellulare**.",
            ],
            "en": [
                "On the {device} pick the data line in **Settings > Mobile > Mobile data** and switch off **Allow mobile data switching**.",
            ],
        }, details=(2, 4), tags=("dual-sim",)),
    ],
    "account": [
        Topic("sign-in", (0, 4), (0,), {
            "it": [
                "L'errore {code_auth} indica una sessione scaduta: esci, cancella i dati dell'app e accedi di nuovo.",
                "Dopo troppi tentativi l'account si sblocca da solo in 30 minuti; poi usa **Password dimenticata** invece di riprovare.",
            ],
            "en": [
                "Error {code_auth} means an expired session: sign out, clear the app data and sign in again.",
                "After too many attempts the account unlocks by itself in 30 minutes; then use **Forgot password** rather than trying again.",
            ],
        }, details=(0, 1, 3, 4), tags=("login", "password", "app")),
        Topic("code", (1,), (1, 2), {
            "it": [
                "Se il numero è cambiato, il codice va richiesto via e-mail dalla pagina di accesso, link **Non ricevo l'SMS**.",
            ],
            "en": [
                "If your number changed, request the code by e-mail from the sign-in page, link **I don't get the SMS**.",
            ],
        }, details=(0, 4), tags=("login", "2fa")),
        Topic("spid", (2,), (6,), {
            "it": [
                "Con SPID scegli il tuo gestore di identità e conferma dall'app del gestore: il codice SMS in quel caso non serve.",
            ],
            "en": [
                "With SPID pick your identity provider and confirm in its app: no SMS code is needed then.",
            ],
        }, details=(4,), tags=("spid", "login", "area-clienti")),
        Topic("phishing", (5,), (3,), {
            "it": [
                "Quell'e-mail è phishing: non chiediamo mai i dati della carta via e-mail. Inoltrala all'indirizzo per le segnalazioni e cancellala.",
            ],
            "en": [
                "That e-mail is phishing: card details are never requested by e-mail. Forward it to the abuse address and delete it.",
            ],
        }, details=(2, 4), tags=("privacy",)),
        Topic("two-step", (6,), (4,), {
            "it": [
                "La verifica in due passaggi si attiva da **Profilo > Sicurezza**; consiglio un'app di autenticazione invece dell'SMS.",
            ],
            "en": [
                "Two-step verification is under **Profile > Security**; I'd use an authenticator app rather than SMS.",
            ],
        }, details=(4,), tags=("2fa",)),
        Topic("personal-data", (3, 7), (5,), {
            "it": [
                "E-mail e dati personali si cambiano da **Profilo > Dati personali**; da lì c'è anche la richiesta di cancellazione, confermata via e-mail.",
            ],
            "en": [
                "E-mail and personal data are under **Profile > Personal data**; the deletion request is there too, confirmed by e-mail.",
            ],
        }, details=(4,), tags=("dati-personali", "privacy")),
    ],
    "porting": [
        Topic("stuck", (0, 5), (0,), {
            "it": [
                "La portabilità richiede di norma 3 giorni lavorativi; se sei oltre, probabilmente il seriale della SIM non corrisponde.",
            ],
            "en": [
                "A transfer normally takes 3 working days; beyond that, the SIM serial probably doesn't match.",
            ],
        }, details=(0, 1, 2, 3), tags=("portabilita", "mnp")),
        Topic("migration-code", (1,), (1,), {
            "it": [
                "Il codice di migrazione di {operator} lo trovi in fattura o chiamando il loro servizio clienti.",
            ],
            "en": [
                "You'll find the {operator} migration code on your bill or by calling their customer service.",
            ],
        }, details=(3,), tags=("codice-migrazione", "portabilita")),
        Topic("credit", (2,), (2,), {
            "it": [
                "Il credito residuo arriva separatamente, di solito entro {days} giorni dalla portabilità, meno eventuali costi.",
            ],
            "en": [
                "Remaining credit comes separately, usually within {days} days of the transfer, minus any fees.",
            ],
        }, tags=("credito-residuo", "portabilita")),
        Topic("after", (3,), (3,), {
            "it": [
                "Nelle prime 24 ore dopo la portabilità le chiamate da alcuni operatori possono non arrivare: spegni e riaccendi il telefono con la nuova SIM.",
            ],
            "en": [
                "For the first 24 hours after a transfer calls from some networks may not reach you: switch the phone off and on with the new SIM.",
            ],
        }, details=(3,), tags=("portabilita", "sim")),
        Topic("holder", (4,), (4,), {
            "it": [
                "Per un numero intestato a un'altra persona serve il cambio intestazione prima della portabilità.",
            ],
            "en": [
                "For a number in someone else's name you need a change of holder before the transfer.",
            ],
        }, details=(3,), tags=("portabilita", "mnp")),
    ],
    "payments": [
        Topic("transfer", (0,), (0,), {
            "it": [
                "I bonifici ordinari tra banche diverse richiedono 1-2 giorni lavorativi; con {bank} a volte anche 3.",
            ],
            "en": [
                "Ordinary transfers between banks take 1-2 working days; with {bank} sometimes 3.",
            ],
        }, details=(0,), tags=("bonifico",)),
        Topic("iban", (1, 6), (1,), {
            "it": [
                "Per cambiare IBAN serve un nuovo mandato SDD: lo firmi dall'app in **Pagamenti > Metodo di pagamento**.",
                "Un IBAN italiano ha 27 caratteri: incollalo senza spazi, e controlla che il conto sia intestato a te.",
            ],
            "en": [
                "A new IBAN needs a new direct-debit mandate: sign it in the app under **Payments > Payment method**.",
                "An Italian IBAN has 27 characters: paste it without spaces, and check the account is in your name.",
            ],
        }, details=(2, 3), code=(0,), tags=("iban", "sdd")),
        Topic("card", (2,), (2,), {
            "it": [
                "Il codice {code_pay} arriva dalla tua banca: di solito è il 3-D Secure non completato, riprova con la notifica della banca aperta.",
            ],
            "en": [
                "Code {code_pay} comes from your bank: usually 3-D Secure wasn't completed, try again with the bank's notification open.",
            ],
        }, details=(1,), code=(1,), tags=("carta",)),
        Topic("paypal", (5,), (5,), {
            "it": [
                "Il pagamento PayPal resta in attesa finché non lo approvi nell'app PayPal: aprila, conferma e non ricaricare la pagina; dopo 24 ore l'autorizzazione scade e puoi ripagare.",
            ],
            "en": [
                "A PayPal payment waits until you approve it in the PayPal app: open it, confirm and don't reload the page; after 24 hours the authorisation lapses and you can pay again.",
            ],
        }, details=(1,), tags=("paypal",)),
        Topic("loan-twice", (3,), (3,), {
            "it": [
                "Una rata addebitata due volte viene restituita entro {days} giorni lavorativi: segnalalo dall'area prestiti, sezione **Movimenti**.",
            ],
            "en": [
                "An instalment charged twice is paid back within {days} working days: report it in the loans area under **Transactions**.",
            ],
        }, code=(0,), tags=("rata", "prestito")),
        Topic("loan-early", (4,), (4,), {
            "it": [
                "L'estinzione anticipata si chiede dall'area prestiti; la penale è al massimo l'1% del capitale residuo.",
            ],
            "en": [
                "Early repayment is requested in the loans area; the fee is at most 1% of the remaining capital.",
            ],
        }, details=(4,), tags=("prestito",)),
    ],
    "orders": [
        Topic("stuck", (0,), (0,), {
            "it": [
                "Quando un ordine resta \"in preparazione\" più di {days} giorni di solito manca un articolo: scrivi all'assistenza con il numero d'ordine.",
            ],
            "en": [
                'When an order stays "being prepared" for over {days} days an item is usually missing: contact support with the order number.',
            ],
        }, details=(1, 2), tags=("ordine",)),
        Topic("return", (1,), (1,), {
            "it": [
                "Il rimborso del reso parte quando il magazzino riceve il pacco, poi servono fino a {days} giorni lavorativi.",
            ],
            "en": [
                "The return refund starts when the warehouse gets the parcel, then it takes up to {days} working days.",
            ],
        }, details=(0, 2), tags=("reso", "rimborso")),
        Topic("damaged", (2,), (2,), {
            "it": [
                "Per la merce danneggiata hai 8 giorni per segnalarlo: fai delle foto alla scatola e al prodotto.",
            ],
            "en": [
                "You have 8 days to report damaged goods: take photos of the box and the product.",
            ],
        }, details=(0,), tags=("spedizione", "reso")),
        Topic("pick-up", (3,), (3,), {
            "it": [
                "Al ritiro in negozio a {city} serve un documento e il codice dell'e-mail di conferma.",
            ],
            "en": [
                "For pick-up at the {city} store you need ID and the code from the confirmation e-mail.",
            ],
        }, tags=("ritiro-in-negozio", "ordine")),
        Topic("warranty", (4,), (5,), {
            "it": [
                "La garanzia legale dura 24 mesi: apri la richiesta da **Ordini > Assistenza** allegando lo scontrino, anche dopo 13 mesi.",
            ],
            "en": [
                "The legal warranty lasts 24 months: open a claim under **Orders > Support** with the receipt, even after 13 months.",
            ],
        }, details=(0,), tags=("garanzia",)),
        Topic("delivery", (5,), (4,), {
            "it": [
                "Se il tracking dice consegnato ma il pacco non c'è, segnalalo entro 48 ore: il corriere apre un'indagine e l'ordine viene rispedito o rimborsato.",
            ],
            "en": [
                "If tracking says delivered but the parcel isn't there, report it within 48 hours: the courier opens an inquiry and the order is resent or refunded.",
            ],
        }, details=(3,), tags=("spedizione",)),
    ],
}  # fmt: skip
# The topics whose answers may walk through the APN settings (mobile data problems).
APN_TOPICS = frozenset({"data", "apn", "error"})

STEPS = {
    "it": [
        "Apri l'app e vai su **Assistenza**", "Scegli la linea interessata", "Tocca **Segnala un problema**",
        "Allega uno screenshot dell'errore", "Riavvia il telefono", "Controlla lo stato su https://status.example.com/",
        "Aspetta la conferma via SMS",
    ],
    "en": [
        "Open the app and go to **Help**", "Pick the line concerned", "Tap **Report a problem**",
        "Attach a screenshot of the error", "Restart the phone", "Check the status at https://status.example.com/",
        "Wait for the confirmation text",
    ],
}  # fmt: skip
# Only for mobile data problems (the "data" topic), with the APN settings' code block.
APN_STEPS = {
    "it": [
        "Vai su **Impostazioni > Rete mobile > Nomi punti di accesso**", "Crea un nuovo APN e salvalo",
        "Seleziona il nuovo APN", "Riavvia il telefono",
    ],
    "en": [
        "Go to **Settings > Mobile network > Access point names**", "Create a new APN and save it",
        "Select the new APN", "Restart the phone",
    ],
}  # fmt: skip
STEPS_LEAD = {
    "it": ["Prova così:", "Questi i passaggi:", "A me ha funzionato così:"],
    "en": ["Try this:", "Here are the steps:", "This is what worked for me:"],
}
ANSWER_OPEN = {
    "it": ["Ciao!", "Ciao, capita spesso.", "Mi è successo lo stesso il mese scorso.", "Buongiorno,", "Ciao, nessun problema."],
    "en": ["Hi!", "Hi, this happens a lot.", "Same thing happened to me last month.", "Hello,", "Hi, no worries."],
}  # fmt: skip
ANSWER_CLOSE = {
    "it": ["Facci sapere se ha funzionato.", "Spero sia utile!", "Se non va, scrivi in privato allo staff.", "In bocca al lupo!"],
    "en": ["Let us know if it worked.", "Hope this helps!", "If not, message the staff privately.", "Good luck!"],
}  # fmt: skip
ANSWER_CODE = [
    "APN: {apn}\nMCC: 222\nMNC: {mnc}\nProxy: (none)\nAuthentication: none",
    "adb shell settings get global preferred_network_mode\n# 33 = LTE/NR, 9 = LTE/GSM/WCDMA",
]

COMMENTS = {
    "it": [
        "Anche a me, stesso problema da ieri.", "Che modello di telefono hai?", "Funzionato, grazie mille!",
        "Hai provato a riavviare il modem?", "Confermo, a {city} è così da giorni.", "Grazie, provo stasera e vi aggiorno.",
        "Puoi indicare il codice di errore preciso?", "Risolto con il nuovo APN, grazie.",
        "Ottima spiegazione.", "Io ho dovuto chiamare il 190, ma alla fine ha funzionato.",
        "Scusa, in quale menu si trova?", "Stessa cosa sul {device}.",
    ],
    "en": [
        "Same here since yesterday.", "Which phone model do you have?", "That worked, thanks a lot!",
        "Did you try restarting the router?", "Confirmed, it's been like this in {city} for days.",
        "Thanks, I'll try tonight and report back.", "Can you post the exact error code?",
        "Fixed with the new APN, thanks.", "Great explanation.", "I had to call support, but it worked in the end.",
        "Sorry, which menu is that in?", "Same on my {device}.",
    ],
}  # fmt: skip

FIRST_NAMES = [
    "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Alessandro", "Sara", "Matteo", "Valentina",
    "Andrea", "Martina", "Davide", "Elena", "Simone", "Federica", "Giorgio", "Alice", "Paolo",
    "Silvia", "Stefano", "Anna", "Roberto", "Laura", "Fabio", "Elisa", "Tommaso", "Irene", "Nicola",
]  # fmt: skip
LAST_INITIALS = "BCDFGLMNPRSTV"

BIOS = {
    "it": [
        "Cliente dal 2012, appassionato di smartphone e offerte.", "Lavoro in informatica, qui nel tempo libero.",
        "Mamma di due ragazzi sempre connessi.", "Pendolare {city}-Milano, vivo di hotspot.",
        "Mi piace capire come funzionano le cose.", "Ex tecnico di rete, ora in pensione.",
        "Uso il {device} per lavoro e per tutto il resto.", "Se posso, aiuto volentieri.",
    ],
    "en": [
        "Customer since 2015, gadget fan.", "Software developer, helping out in my spare time.",
        "Travel a lot, so roaming is my speciality.", "Living in {city}, originally from Dublin.",
        "I like to know how things work.", "Retired network engineer.",
    ],
}  # fmt: skip
EDIT_SUMMARIES = {
    "it": ["Aggiunti dettagli", "Corretto un errore di battitura", "Aggiunto il log", "Chiarito il titolo"],
    "en": ["Added details", "Fixed a typo", "Added the log", "Clarified the title"],
}  # fmt: skip
CLOSE_NOTES = {
    "it": ["Vedi la domanda collegata.", "Manca il modello del telefono.", "Risolto in privato con lo staff.", ""],
    "en": ["See the linked question.", "Please add your phone model.", "Solved privately with the staff.", ""],
}  # fmt: skip


@dataclass
class Post:
    """A generated post: the Markdown blocks (joined by a blank line), the language and
    the slot values drawn for it (an answer reuses its question's, so both name the same
    device, code or month)."""

    blocks: list[str]
    lang: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return "\n\n".join(self.blocks)


def fill(template: str, rng: random.Random, lang: str, values: dict[str, str] | None = None) -> str:
    """Replace each `{slot}` with a value from its pool: one draw per distinct slot, and
    a slot already in `values` keeps its value there (new draws are added to it)."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names:
        return template
    values = {} if values is None else values
    for name in sorted(names):  # sorted: the draw order must not depend on set order
        if name in values or name in ("apn", "mnc", "link", "ticket"):
            continue
        pool = SLOTS.get(f"{name}_{lang}") or SLOTS[name]
        values[name] = rng.choice(pool)
    if ("apn" in names or "mnc" in names) and "apn" not in values:
        values["apn"], values["mnc"] = rng.choice(APNS)
    if "link" in names and "link" not in values:
        values["link"] = rng.choice(LINKS)
    if "ticket" in names:
        values["ticket"] = str(rng.randint(1_000_000, 9_999_999))
    return template.format(**values)


def bullet_list(items: list[str], *, ordered: bool = False) -> str:
    if ordered:
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    return "\n".join(f"- {item}" for item in items)


def fence(code: str) -> str:
    return f"```text\n{code}\n```"


def topic(rng: random.Random, category: str) -> Topic:
    return rng.choice(TOPICS[category])


# Phone troubleshooting ("restarted the phone") only fits questions about a line or a phone.
TRIED_CATEGORIES = frozenset({"network", "devices", "account", "porting"})


def question(rng: random.Random, category: str, lang: str, about: Topic) -> tuple[str, Post]:
    """A question title and body for `category` in `lang`, about `about`: every part
    comes from the topic and shares one draw of each slot."""
    pools = QUESTIONS[category][lang]
    values: dict[str, str] = {"link": rng.choice(GUIDES[category])}
    title = fill(pools["titles"][rng.choice(about.titles)], rng, lang, values)
    blocks = [fill(pools["intros"][rng.choice(about.intros)], rng, lang, values)]
    if about.details and rng.random() < 0.8:
        blocks.append(pools["details"][rng.choice(about.details)])
    if category in TRIED_CATEGORIES and rng.random() < 0.35:
        blocks.append(rng.choice(TRIED[lang]["lead"]))
        blocks.append(bullet_list(rng.sample(TRIED[lang]["items"], rng.randint(2, 4))))
    if about.code and rng.random() < 0.4:
        blocks.append(rng.choice(CODE_LEAD[lang]))
        blocks.append(fence(fill(pools["code"][rng.choice(about.code)], rng, lang, values)))
    if rng.random() < 0.12:
        blocks.append(fill(rng.choice(LINK_LINE[lang]), rng, lang, values))
    if rng.random() < 0.1:
        blocks.append(fill(rng.choice(TICKET_LINE[lang]), rng, lang))
    if rng.random() < 0.85:
        blocks.append(rng.choice(CLOSINGS[lang]))
    return title, Post(blocks, lang, values)


def answer(
    rng: random.Random, lang: str, about: Topic, values: dict[str, str] | None = None
) -> Post:
    """An answer in `lang` to a question about `about` (whose slot `values` it reuses):
    that topic's advice, then perhaps steps (the APN's for mobile data), the APN settings,
    a guide and a closing line."""
    values = dict(values or {})
    blocks = []
    if rng.random() < 0.6:
        blocks.append(rng.choice(ANSWER_OPEN[lang]))
    blocks.append(fill(rng.choice(about.advice[lang]), rng, lang, values))
    data = about.key in APN_TOPICS
    if rng.random() < 0.4:
        steps = APN_STEPS[lang] if data else STEPS[lang]
        picked = sorted(rng.sample(range(len(steps)), rng.randint(2, 4)))  # in their order
        blocks.append(rng.choice(STEPS_LEAD[lang]))
        blocks.append(bullet_list([steps[n] for n in picked], ordered=True))
    if data and rng.random() < 0.3:
        blocks.append(fence(fill(rng.choice(ANSWER_CODE), rng, lang, values)))
    if rng.random() < 0.15:
        link = values.get("link") or rng.choice(LINKS)
        blocks.append(f"Guida ufficiale: {link}" if lang == "it" else f"Official guide: {link}")
    if rng.random() < 0.5:
        blocks.append(rng.choice(ANSWER_CLOSE[lang]))
    return Post(blocks, lang, values)


def comment(rng: random.Random, lang: str) -> str:
    return fill(rng.choice(COMMENTS[lang]), rng, lang)


def bio(rng: random.Random, lang: str) -> str:
    return fill(rng.choice(BIOS[lang]), rng, lang)


def display_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}."
