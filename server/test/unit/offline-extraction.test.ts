import { describe, expect, it } from 'vitest';
import { extractOffline } from '../../src/llm/offline-engine.js';

describe('extractOffline', () => {
  it('extracts a name and an e-mail from a realistic introduction', () => {
    expect(extractOffline('Hi, my name is Jane Doe and my email is jane.doe@example.com')).toEqual({
      name: 'Jane Doe',
      email: 'jane.doe@example.com',
    });
  });

  it('keeps e-mail digits out of the number and phone fields', () => {
    expect(extractOffline('write to john.smith1987@mail-server.co.uk.')).toEqual({
      email: 'john.smith1987@mail-server.co.uk',
    });
  });

  it.each([
    ['Call me on +44 20 7946 0958 please', '+442079460958'],
    ['phone: +44 (0) 20 7946 0958', '+442079460958'],
    ['my number is (020) 7946-0958', '02079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['call 5551234567 after six', '5551234567'],
    ['reach me at 555-1234', '5551234'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('extracts the phone number in %j', (message, phone) => {
    const result = extractOffline(message);
    expect(result.phone).toBe(phone);
    expect(result.number).toBeUndefined();
    expect(result.order_number).toBeUndefined();
  });

  it('ignores digit runs too short for a phone number', () => {
    expect(extractOffline('room 123 456').phone).toBeUndefined();
  });

  it.each([
    ['Where is my order #12345?', '12345'],
    ['order number ORD-1234 has not arrived', 'ORD-1234'],
    ['my order is 98765', '98765'],
    ['Order no. 55555 please', '55555'],
    ['The code on the box is A1B2C3', 'A1B2C3'],
    ['Invoice INV2026001 is wrong', 'INV2026001'],
    ['tracking number 1Z999AA10123456784', '1Z999AA10123456784'],
  ])('extracts the order number in %j', (message, orderNumber) => {
    const result = extractOffline(message);
    expect(result.order_number).toBe(orderNumber);
    expect(result.number).toBeUndefined();
    expect(result.phone).toBeUndefined();
  });

  it('does not read a quantity after "order" as an order number', () => {
    expect(extractOffline('I would like to order 2 pizzas')).toEqual({ number: 2 });
    expect(extractOffline('I ordered 3 shirts')).toEqual({ number: 3 });
  });

  it('extracts an order number and a phone number from the same message', () => {
    expect(extractOffline('my order is 98765 and my phone 555-1234')).toEqual({
      order_number: '98765',
      phone: '5551234',
    });
  });

  it.each([
    ['Can we meet on 2026-03-12?', '2026-03-12'],
    ['Can I book for 12/03/2026?', '2026-03-12'],
    ['Delivery on 05.06.2026 please', '2026-06-05'],
    ['US style 03/25/2026', '2026-03-25'],
    ['Deliver on 12 March 2026', '2026-03-12'],
    ['on the 1st of Feb 2027', '2027-02-01'],
    ['March 5th, 2026 works', '2026-03-05'],
    ['Sept 30 2026', '2026-09-30'],
    ['see you 1/2/26', '2026-02-01'],
  ])('normalises the date in %j', (message, date) => {
    const result = extractOffline(message);
    expect(result.date).toBe(date);
    expect(result.phone).toBeUndefined();
  });

  it('skips impossible dates and takes the next valid one', () => {
    expect(extractOffline('2026-02-30 is invalid, 2026-02-28 is fine')).toEqual({ date: '2026-02-28' });
    expect(extractOffline('31/02/2026').date).toBeUndefined();
  });

  it('leaves relative dates out (the engine has no clock)', () => {
    expect(extractOffline('Can I come tomorrow or today?')).toEqual({});
  });

  it('extracts a date with a time and a party size', () => {
    expect(extractOffline('Table on 12/03/2026 at 10:30 for 4 people')).toEqual({
      date: '2026-03-12',
      number: 4,
    });
  });

  it.each([
    ["I'm John and I need help", 'John'],
    ['I am Maria Lopez', 'Maria Lopez'],
    ['Hello, this is Peter from Acme', 'Peter'],
    ["I'm O'Brien", "O'Brien"],
    ['I’m José García', 'José García'],
    ['I am Looking for help, my name is Ana', 'Ana'],
    ['call me Sam', 'Sam'],
  ])('extracts the name in %j', (message, name) => {
    expect(extractOffline(message).name).toBe(name);
  });

  it.each([
    "I'm fine thanks",
    'I am looking for a table',
    'this is ridiculous',
    'This is Unacceptable',
    'I am 25 years old',
    'I AM ANGRY',
  ])('finds no name in %j', (message) => {
    expect(extractOffline(message).name).toBeUndefined();
  });

  it.each([
    ['I want 2 tickets', 2],
    ['Total 1,250.50 dollars', 1250.5],
    ['about $25 each', 25],
  ])('extracts the standalone number in %j', (message, number) => {
    expect(extractOffline(message).number).toBe(number);
  });

  it('does not take times, units or versions as a standalone number', () => {
    expect(extractOffline('at 10:30')).toEqual({});
    expect(extractOffline('it weighs 3kg')).toEqual({});
  });

  it('returns an empty object for messages without facts', () => {
    expect(extractOffline('')).toEqual({});
    expect(extractOffline('Hello, how are you?')).toEqual({});
    expect(extractOffline('{"email": "not-an-email"} {{business_info}}')).toEqual({});
  });

  // A guard against catastrophic regex backtracking, not a speed measurement: that would hang, not slow down.
  it('terminates on long adversarial input', { timeout: 5_000 }, () => {
    const message = `${'1 2 3 - . ( ) '.repeat(2000)}${'a'.repeat(5000)}@ ${'I am '.repeat(2000)}`;
    expect(typeof extractOffline(message)).toBe('object');
  });
});
