/**
 * Whether a customer's message asks for a person instead of the assistant ("can I talk to a human?",
 * "quero falar com um atendente", "hablar con un agente", "parler à un conseiller", "mit einem
 * Mitarbeiter sprechen"). Deliberately narrow: a word such as "agent" or "person" alone in a sentence
 * ("I am a travel agent") is no request; it has to come with a verb of talking or wanting, an
 * adjective such as "real"/"human", or be the whole message.
 */

const NOT_PLAIN_ASCII = /[^\t\n\r -~]/;

// Accents off (NFD, then the marks dropped): every message of every turn comes through here, and for
// text in ASCII alone, most of it, that step changes nothing and is skipped.
const fold = (text: string) =>
  (NOT_PLAIN_ASCII.test(text) ? text.normalize('NFD').replace(/\p{M}+/gu, '') : text)
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

// English
const EN_WHO =
  '(?:a |an |the |some |one of (?:your|the) )?(?:real |actual |live |human )?' +
  '(?:human(?: being)?|person|people|agent|someone|somebody|representative|rep|operator|manager|' +
  'staff(?: member)?|member of (?:your |the )?(?:staff|team)|customer (?:service|support)(?: agent| rep(?:resentative)?)?)';
// Wanting "someone" or "a person" is often about the service ("I need someone to fix my sink"): only
// the words that name support staff count after a verb of wanting.
const EN_STAFF =
  '(?:a |an |the |some )?(?:real |actual |live |human )?(?:human(?: being)?|agent|representative|rep|operator|' +
  'staff member|member of (?:your |the )?(?:staff|team)|customer (?:service|support)(?: agent| rep(?:resentative)?)?|' +
  '(?:real|actual|live) (?:person|people))';
const EN = [
  new RegExp(`\\b(?:talk|speak|chat|get through)(?: directly)? (?:to|with) ${EN_WHO}\\b`),
  new RegExp(
    `\\b(?:i(?: want| need| would like|'d like)|can i (?:get|have)|could i (?:get|have)|give me|get me|` +
      `connect me (?:to|with)|transfer me (?:to|with)?|put me (?:through )?to|is there) ${EN_STAFF}\\b`,
  ),
  /\b(?:someone|somebody|a person|anyone) (?:i|we) (?:can|could) (?:talk|speak) (?:to|with)\b/,
  /\b(?:real|actual|live) (?:person|human|agent|people)\b/,
  /\bhuman (?:agent|support|operator|being|representative)\b/,
  /\b(?:are you|is this) (?:a )?(?:bot|robot|machine)\b.*\b(?:human|person)\b/,
];

// Portuguese
const PT_WHO =
  '(?:um |uma |o |a |algum |alguma )?(?:humano|pessoa(?: real| de verdade)?|atendente|agente|operador|operadora|' +
  'funcionario|funcionaria|alguem|representante|gente de verdade)';
const PT = [
  new RegExp(`\\b(?:falar|conversar) com ${PT_WHO}\\b`),
  /\b(?:quero|queria|preciso de|gostaria de) (?:um |uma )?(?:atendente|humano|operador|pessoa real)\b/,
  /\batendimento humano\b/,
  /\batendente humano\b/,
];

// Spanish
const ES_WHO =
  '(?:un |una |el |la |algun |alguna )?(?:humano|persona(?: real| de verdad)?|agente|asesor|asesora|operador|' +
  'operadora|alguien|representante|empleado|empleada)';
const ES = [
  new RegExp(`\\b(?:hablar|conversar|comunicarme) con ${ES_WHO}\\b`),
  /\b(?:quiero|necesito|quisiera) (?:un |una )?(?:agente|humano|asesor|operador|persona real)\b/,
  /\b(?:atencion|agente) humano\b/,
];

// French
const FR_WHO =
  "(?:un |une |le |la |l'|quelqu'un|une vraie |un vrai )?(?:humain|personne(?: reelle)?|conseiller|conseillere|" +
  'agent|operateur|operatrice|quelqu.un|vrai humain|vraie personne|representant)';
const FR = [
  new RegExp(`\\b(?:parler|discuter) (?:a|avec) ${FR_WHO}`),
  /\b(?:je veux|je voudrais|j'aimerais|je souhaite) (?:un |une )?(?:conseiller|humain|agent|operateur)\b/,
  /\b(?:un vrai humain|une vraie personne|une personne reelle)\b/,
];

// German
const DE = [
  /\b(?:mit )(?:einem |einer |einem echten |einer echten |jemandem)?(?:menschen|mensch|mitarbeiter|mitarbeiterin|berater|beraterin|person|agenten|kundenberater|jemandem)\b.*\b(?:sprechen|reden|verbunden|verbinden|chatten)\b/,
  /\b(?:sprechen|reden) (?:mit )?(?:einem |einer )?(?:menschen|mitarbeiter|mitarbeiterin|berater|person)\b/,
  /\b(?:echten|echte|richtigen) (?:menschen|mensch|person|mitarbeiter)\b/,
  /\b(?:ich (?:will|mochte|brauche)) (?:einen |eine )?(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin)\b/,
];

/** The whole message is just the word (with punctuation or a please). */
const ALONE =
  /^(?:(?:a |an |um |uma |un |una |une |einen |ein )?(?:human|agent|operator|representative|real person|humano|atendente|agente|operador|asesor|humain|conseiller|mensch|mitarbeiter|menschen)(?: please| por favor| s'il vous plait| bitte)?)[\s!?.]*$/;

const PATTERNS = [...EN, ...PT, ...ES, ...FR, ...DE];

/**
 * A word (or the start of one) that every pattern above and ALONE needs in what it matches: the verb
 * of talking, or the person asked for. Plain ASCII text folds only by case, spaces and backticks, none
 * of which can make one of these words, so such a message without any is no request, and is answered
 * without folding it and trying twenty patterns on it (as almost every message is). Text with other
 * characters may hide a word behind an accent (`opérateur`) and is always folded.
 */
const NEEDED_WORD =
  /talk|speak|chat|through|huma|agent|rep|opera|staff|member|customer|person|people|falar|convers|atendente|pessoa|hablar|comunic|asesor|parler|discuter|conseill|sprech|reden|verbund|verbind|mensch|mitarbeit|berater/i;

export function asksForHuman(message: string): boolean {
  if (!NOT_PLAIN_ASCII.test(message) && !NEEDED_WORD.test(message)) return false;
  const text = fold(message);
  if (!text || text.length > 1000) return false;
  if (ALONE.test(text)) return true;
  return PATTERNS.some((pattern) => pattern.test(text));
}

/** What the assistant says when it hands the conversation over, unless the business set its own. */
export const DEFAULT_HANDOFF_MESSAGE =
  "I'm passing you to a member of our team. Someone will reply here shortly.";
