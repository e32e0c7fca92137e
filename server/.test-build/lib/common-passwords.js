/**
 * Passwords of 10+ characters that appear near the top of public breach frequency lists, plus the
 * product's own name: refused whatever their length. Small on purpose (the length rule does the rest).
 */
const LIST = `
1234567890 0123456789 12345678910 1234567891 0987654321 1111111111 0000000000 1q2w3e4r5t
qwertyuiop 1qaz2wsx3edc password123 password12 password1234 password12345 passw0rd123
iloveyou12 abcdefghij abc1234567 qwerty1234 qwerty12345 qwertyuiop1 1234qwerty asdfghjkl1
asdfghjkl; zxcvbnm123 1q2w3e4r5t6y letmein123 welcome123 welcome1234 football12 baseball12
sunshine12 princess12 superman12 iloveyou123 monkey1234 dragon1234 master1234 trustno1234
starwars12 whatever12 changeme12 changeme123 administrator admin12345 admin123456 adminadmin
administrator1 password! password!1 p@ssw0rd12 p@ssword123 passwordpassword qazwsxedcrfv
1qazxsw23edc mustang123 michael123 jennifer12 jordan2323 hunter1234 computer12 internet12
samsung123 chocolate1 butterfly1 liverpool1 1234567890a a1234567890 aa12345678 abcd123456
abcd1234567 q1w2e3r4t5 q1w2e3r4t5y6 zaq12wsx3e 1qaz2wsx3e 987654321a 11223344556 1122334455
123123123a 123123123123 12341234123 1234512345 9876543210 5555555555 7777777777 6666666666
9999999999 2222222222 3333333333 4444444444 8888888888 qwertyqwerty asdfasdfasdf zxcvzxcvzx
iloveyou1234 letmeinplease secret12345 secretpassword mypassword mypassword1 mypassword123
icmp123456 icmppassword icmp-password welcome2024 welcome2025 welcome2026 summer2024 summer2025
winter2024 winter2025 spring2025 autumn2025 password2024 password2025 password2026 changeit123
`;
export const COMMON_PASSWORDS = new Set(LIST.split(/\s+/).filter(Boolean));
//# sourceMappingURL=common-passwords.js.map