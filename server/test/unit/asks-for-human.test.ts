import { describe, expect, it } from 'vitest';
import { asksForHuman } from '../../src/modules/pipeline/asks-for-human.js';

describe('asksForHuman', () => {
  it.each([
    'Can I talk to a human?',
    'I want to speak to a real person please',
    'agent',
    'HUMAN!!',
    'Representative.',
    'connect me to an operator',
    'I need a live agent',
    'Let me talk to someone',
    'can I speak with a member of your staff',
    'is there a human I can talk to',
    'Is there someone I can speak with?',
    'transfer me to customer service',
    'Quero falar com um atendente',
    'Posso falar com uma pessoa de verdade?',
    'preciso de atendimento humano',
    'Quiero hablar con un agente',
    '¿Puedo hablar con una persona real?',
    'necesito un asesor',
    'Je voudrais parler à un conseiller',
    "Est-ce que je peux parler à quelqu'un ?",
    'je veux un humain',
    'Ich möchte mit einem Mitarbeiter sprechen',
    'Kann ich bitte mit einem Menschen reden?',
    'Ich will einen echten Menschen',
    // Plain ASCII in odd case and spacing: found by the needed-word check before any folding.
    'Could I GET THROUGH to an Operator?',
    'i`d like a rep',
    'talk\n\nto   a   HUMAN',
    'Necesito un OPERADOR',
    'Je voudrais un operateur',
    'Ich will einen Berater',
    'Kann ich mit jemandem chatten?',
  ])('recognises %j', (message) => {
    expect(asksForHuman(message)).toBe(true);
  });

  it.each([
    'I am a travel agent looking for a quote',
    'I need someone to fix my sink tomorrow',
    'I want a person to pick up the parcel',
    'Can I get someone to deliver it on Friday?',
    'How many people can the room hold?',
    'What is the price of the human anatomy book?',
    'My order number is 12345',
    'Hola, quiero reservar una mesa para dos personas',
    'Bonjour, je cherche une chambre pour une personne',
    'Olá, qual é o horário de funcionamento?',
    'Ich möchte einen Tisch reservieren',
    '',
    'agentur',
    'The operator of the website is who?',
  ])('leaves %j to the assistant', (message) => {
    expect(asksForHuman(message)).toBe(false);
  });
});
