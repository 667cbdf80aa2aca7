"""What the assistant says itself, in plain Dutch (B1) and English. Placeholders in braces are
filled from the municipality's settings: {municipality}, {phone}, {website}, {address},
{opening_hours}."""

from __future__ import annotations

from typing import Final

from knowledge_base.text import Language

TEXTS: Final[dict[str, dict[Language, str]]] = {
    "greet": {
        "nl": "Hallo! Ik ben de digitale assistent van gemeente {municipality}. Stel gerust uw "
        "vraag, bijvoorbeeld over afval, uw paspoort of verhuizen.",
        "en": "Hello! I am the digital assistant of the municipality of {municipality}. Ask me "
        "anything, for example about waste, your passport or moving house.",
    },
    "goodbye": {
        "nl": "Tot ziens! U kunt hier altijd weer een vraag stellen.",
        "en": "Goodbye! You can always ask another question here.",
    },
    "thank": {
        "nl": "Graag gedaan! Kan ik u nog ergens anders mee helpen?",
        "en": "You're welcome! Is there anything else I can help you with?",
    },
    "affirm": {
        "nl": "Fijn! Heeft u nog een vraag? Stel die gerust.",
        "en": "Good! Do you have another question? Just ask.",
    },
    "deny": {
        "nl": "Goed. Heeft u een andere vraag? Stel die gerust.",
        "en": "All right. Do you have another question? Just ask.",
    },
    "bot_challenge": {
        "nl": "Ik ben een computerprogramma: de digitale assistent van gemeente {municipality}. "
        "Wilt u liever een medewerker spreken? Typ dan 'medewerker'.",
        "en": "I am a computer program: the digital assistant of the municipality of "
        "{municipality}. Would you rather talk to a person? Type 'person'.",
    },
    "handoff": {
        "nl": "Ik geef uw vraag door aan een medewerker. U krijgt in dit gesprek antwoord. "
        "Bellen kan ook: {phone}, {opening_hours}.",
        "en": "I am passing your question on to a colleague. You will get an answer in this "
        "conversation. You can also call us: {phone}, {opening_hours}.",
    },
    "safety_suicide": {
        "nl": "Wat goed dat u dit vertelt. U hoeft hier niet alleen mee te blijven. Praat er nu "
        "over met 113 Zelfmoordpreventie: bel **0800-0113** (gratis, dag en nacht) of chat op "
        "https://www.113.nl. Bent u in direct gevaar? Bel dan **112**.",
        "en": "Thank you for telling me. You don't have to carry this alone. Talk to 113 Suicide "
        "Prevention now: call **0800-0113** (free, day and night) or chat at https://www.113.nl. "
        "Are you in immediate danger? Call **112**.",
    },
    "safety_violence": {
        "nl": "Wat naar dat u dit meemaakt. Bel Veilig Thuis voor hulp en advies: **0800-2000** "
        "(gratis, dag en nacht). Bent u of is iemand anders nu in gevaar? Bel dan **112**.",
        "en": "I'm sorry this is happening to you. Call Veilig Thuis (Safe at Home) for help and "
        "advice: **0800-2000** (free, day and night). Are you or someone else in danger right "
        "now? Call **112**.",
    },
    "safety_unsure": {
        "nl": "Voor de zekerheid: is er nu gevaar? Bel **112**. Denkt u aan zelfdoding? Praat "
        "erover met 113 Zelfmoordpreventie: **0800-0113**. Bij geweld thuis: Veilig Thuis, "
        "**0800-2000**. Beide gratis, dag en nacht.",
        "en": "Just in case: is there danger right now? Call **112**. Are you thinking about "
        "suicide? Talk to 113 Suicide Prevention: **0800-0113**. For violence at home: Veilig "
        "Thuis (Safe at Home), **0800-2000**. Both free, day and night.",
    },
    "emergency": {
        "nl": "Is er nu gevaar? Bel direct **112**. Bij een gaslucht: bel 0800-9009.",
        "en": "Is there danger right now? Call **112** at once. If you smell gas: call 0800-9009.",
    },
    "handoff_insult": {
        "nl": "Het spijt me dat het zo loopt.",
        "en": "I'm sorry this is going badly.",
    },
    "handoff_complaint": {
        "nl": "Vervelend dat u dit heeft meegemaakt. We nemen uw klacht serieus.",
        "en": "I'm sorry this happened to you. We take your complaint seriously.",
    },
    "handoff_distress": {
        "nl": "Wat een moeilijke situatie. U hoeft dit niet alleen op te lossen.",
        "en": "That is a difficult situation. You don't have to solve this on your own.",
    },
    "handoff_legal_deadline": {
        "nl": "Omdat er een termijn loopt, kijkt een medewerker met u mee.",
        "en": "Because there is a deadline, a colleague will look at this with you.",
    },
    "handoff_meanwhile": {
        "nl": "Dit kunt u alvast lezen:",
        "en": "Here is what you can read in the meantime:",
    },
    "handoff_misunderstood": {
        "nl": "Sorry, ik begrijp uw vraag niet goed.",
        "en": "Sorry, I don't understand your question well.",
    },
    "handoff_complex": {
        "nl": "Uw vraag is te ingewikkeld om goed door mij te laten beantwoorden.",
        "en": "Your question is too complicated for me to answer well.",
    },
    "queue_position": {
        "nl": "Er wachten nu {ahead} mensen voor u. Een medewerker reageert naar verwachting "
        "binnen {minutes} minuten.",
        "en": "There are {ahead} people waiting before you. A colleague will probably reply "
        "within {minutes} minutes.",
    },
    "queue_first": {
        "nl": "U bent de eerste in de wachtrij. Een medewerker reageert naar verwachting binnen "
        "{minutes} minuten.",
        "en": "You are first in the queue. A colleague will probably reply within {minutes} "
        "minutes.",
    },
    "team_closed": {
        "nl": "Ons team is er nu niet. We zijn er weer op {when}. Laat gerust hier uw bericht "
        "achter: een medewerker leest het dan.",
        "en": "Our team is not at work now. We are back on {when}. Feel free to leave your "
        "message here: a colleague will read it then.",
    },
    "dont_know": {
        "nl": "Daar heb ik helaas geen goed antwoord op. Wat u kunt doen:\n"
        "- uw vraag anders stellen\n"
        "- kijken op {website}\n"
        "- bellen met {phone}, {opening_hours}\n"
        "- 'medewerker' typen om een collega te spreken",
        "en": "Sorry, I don't have a good answer to that. What you can do:\n"
        "- ask your question in a different way\n"
        "- look at {website}\n"
        "- call {phone}, {opening_hours}\n"
        "- type 'person' to talk to a colleague",
    },
    "unsupported_photo": {
        "nl": "Ik kan helaas geen foto's bekijken. Wilt u in een bericht beschrijven wat u ziet "
        "of wat u wilt vragen?",
        "en": "Sorry, I can't look at photos. Could you describe in a message what you see or "
        "what you would like to ask?",
    },
    "unsupported_voice": {
        "nl": "Ik kan helaas geen spraakberichten beluisteren. Wilt u uw vraag typen?",
        "en": "Sorry, I can't listen to voice messages. Could you type your question?",
    },
    "unsupported_file": {
        "nl": "Ik kan helaas geen bestanden of video's openen. Wilt u uw vraag typen?",
        "en": "Sorry, I can't open files or videos. Could you type your question?",
    },
    "unsupported_sticker": {
        "nl": "Leuk! Ik begrijp alleen tekst. Wat is uw vraag?",
        "en": "Nice! I only understand text. What is your question?",
    },
    "unsupported_location": {
        "nl": "Bedankt voor uw locatie. Ik kan die nog niet gebruiken. Beschrijf in een bericht "
        "waar het is, bijvoorbeeld met de straatnaam.",
        "en": "Thank you for your location. I can't use it yet. Please describe in a message "
        "where it is, for example with the street name.",
    },
    "unsupported_edit": {
        "nl": "U heeft een bericht aangepast. Ik lees alleen nieuwe berichten: stuur uw vraag "
        "gerust opnieuw.",
        "en": "You edited a message. I only read new messages: please send your question again.",
    },
    "unsupported_other": {
        "nl": "Dit soort bericht kan ik helaas niet lezen. Wilt u uw vraag typen?",
        "en": "Sorry, I can't read this kind of message. Could you type your question?",
    },
    "slow_down": {
        "nl": "U stuurt veel berichten kort na elkaar. Wacht even en stuur uw vraag dan opnieuw.",
        "en": "You are sending many messages in a short time. Please wait a moment and send "
        "your question again.",
    },
    "did_you_mean": {
        "nl": "Bedoelt u een van deze vragen? Kies er een, of stel uw vraag anders.",
        "en": "Do you mean one of these questions? Choose one, or ask in a different way.",
    },
    "more_info": {
        "nl": "Meer informatie: {url}",
        "en": "More information: {url}",
    },
    "only_in_dutch": {
        "nl": "",
        "en": "(This answer is only available in Dutch.)",
    },
    "notice": {
        "nl": "**Belangrijk bericht van de gemeente: {title}**",
        "en": "**Important message from the municipality: {title}**",
    },
    "notice_updates": {
        "nl": "Het laatste nieuws leest u op {url}",
        "en": "For the latest news, see {url}",
    },
    "notice_only_in_dutch": {
        "nl": "",
        "en": "(This message is only available in Dutch.)",
    },
    "notice_on_topic": {
        "nl": "**Let op:** {title}",
        "en": "**Please note:** {title}",
    },
}
