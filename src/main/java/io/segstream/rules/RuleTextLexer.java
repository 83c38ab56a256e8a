package io.segstream.rules;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Splits a readable rule into tokens, each with its 1-based line and column. The character classes
 * here are shared with {@link RuleTextPrinter}, so that whatever the printer writes bare reads back as
 * the same kind of token.
 */
final class RuleTextLexer {

    enum Kind { WORD, STRING, NUMBER, DURATION, DATE, SYMBOL, END }

    /** A token: {@code text} as written, {@code value} decoded (the content of a quoted string). */
    record Token(Kind kind, String text, String value, int line, int column) {

        /** The keyword this token spells (keywords ignore case), or null when it is not a bare word. */
        String keyword() {
            return kind == Kind.WORD ? RuleTextLexer.keyword(text) : null;
        }

        boolean is(String keywordOrSymbol) {
            return kind == Kind.WORD ? keyword().equals(keywordOrSymbol) : kind == Kind.SYMBOL && text.equals(keywordOrSymbol);
        }

        /** How messages show this token. */
        String shown() {
            if (kind == Kind.END) return "the end of the rule";
            String t = text.length() > 40 ? text.substring(0, 37) + "..." : text;
            return "`" + t + "`";
        }
    }

    static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    static final Pattern DURATION = Pattern.compile("[0-9]+[smhdw]");
    private static final Map<String, String> OPERATOR_FIXES = Map.of(
            "==", "=", "=>", ">=", "=<", "<=", "<>", "!=", "!", "not", "&&", "and", "&", "and", "||", "or", "|", "or");

    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int at;
    private int line = 1;
    private int lineStart;
    private int endLine = 1;
    private int endColumn = 1;

    private RuleTextLexer(String text) {
        this.text = text;
    }

    /** The tokens of {@code text}, ending with an {@link Kind#END} token placed just after the last one. */
    static List<Token> tokens(String text) {
        RuleTextLexer lexer = new RuleTextLexer(text);
        lexer.run();
        return lexer.tokens;
    }

    static String keyword(String word) {
        return word.toLowerCase(Locale.ROOT);
    }

    static boolean identifierStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    static boolean identifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-';
    }

    /** Characters of numbers, durations and dates written bare. */
    static boolean literalPart(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '+'
                || c == '-';
    }

    /** What a bare literal (a word that starts with a digit or {@code -}) is, or null when it is none. */
    static Kind classify(String literal) {
        if (literal.isEmpty()) return null;
        for (int i = 0; i < literal.length(); i++) if (!literalPart(literal.charAt(i))) return null;
        if (NUMBER.matcher(literal).matches()) return Kind.NUMBER;
        if (DURATION.matcher(literal).matches()) return Kind.DURATION;
        char first = literal.charAt(0);
        if (first >= '0' && first <= '9' && Value.parseInstant(literal, ZoneOffset.UTC).isPresent()) return Kind.DATE;
        return null;
    }

    private void run() {
        while (true) {
            skipSpace();
            if (at >= text.length()) break;
            char c = text.charAt(at);
            int start = at;
            int column = at - lineStart + 1;
            if (c == '"') {
                string(column);
            } else if (identifierStart(c)) {
                while (at < text.length() && identifierPart(text.charAt(at))) at++;
                add(Kind.WORD, text.substring(start, at), column);
            } else if ((c >= '0' && c <= '9') || (c == '-' && at + 1 < text.length() && isDigit(text.charAt(at + 1)))) {
                at++;
                while (at < text.length() && literalPart(text.charAt(at))) at++;
                String literal = text.substring(start, at);
                Kind kind = classify(literal);
                if (kind == null) {
                    throw new RuleTextException(line, column, "`" + shorten(literal) + "` is not a number, a duration such as 30d,"
                            + " or a date such as 2026-11-28");
                }
                add(kind, literal, column);
            } else if ("()[],".indexOf(c) >= 0) {
                at++;
                add(Kind.SYMBOL, String.valueOf(c), column);
            } else if ("=!<>&|".indexOf(c) >= 0) {
                while (at < text.length() && "=!<>&|".indexOf(text.charAt(at)) >= 0) at++;
                String op = text.substring(start, at);
                if (!List.of("=", "!=", ">", ">=", "<", "<=").contains(op)) {
                    String fix = OPERATOR_FIXES.get(op);
                    throw new RuleTextException(line, column, fix != null
                            ? "unknown operator `" + op + "`, did you mean `" + fix + "`?"
                            : "unknown operator `" + shorten(op) + "`; the comparisons are =, !=, >, >=, < and <=");
                }
                add(Kind.SYMBOL, op, column);
            } else if (c == '\'' || c == '\u201c' || c == '\u201d' || c == '\u2018' || c == '\u2019') {
                throw new RuleTextException(line, column, "write text between straight double quotes, such as \"gold\"");
            } else {
                String shown = Character.isISOControl(c) ? String.format("U+%04X", (int) c) : "`" + c + "`";
                throw new RuleTextException(line, column, "unexpected character " + shown);
            }
        }
        tokens.add(new Token(Kind.END, "", "", endLine, endColumn));
    }

    private void add(Kind kind, String tokenText, int column) {
        add(kind, tokenText, tokenText, column);
    }

    private void add(Kind kind, String tokenText, String value, int column) {
        tokens.add(new Token(kind, tokenText, value, line, column));
        endLine = line;
        endColumn = at - lineStart + 1;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '\n' || (c == '\r' && (at + 1 >= text.length() || text.charAt(at + 1) != '\n'))) {
                at++;
                line++;
                lineStart = at;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u00a0' || c == '\ufeff') {
                at++;
            } else {
                return;
            }
        }
    }

    private void string(int column) {
        int openLine = line;
        StringBuilder value = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length() || text.charAt(at) == '\n' || text.charAt(at) == '\r') {
                throw new RuleTextException(openLine, column, "this text has no closing `\"`");
            }
            char c = text.charAt(at);
            if (c == '"') {
                at++;
                break;
            }
            if (c == '\\') {
                int escapeColumn = at - lineStart + 1;
                if (at + 1 >= text.length()) throw new RuleTextException(openLine, column, "this text has no closing `\"`");
                char e = text.charAt(at + 1);
                switch (e) {
                    case '"' -> value.append('"');
                    case '\\' -> value.append('\\');
                    case '/' -> value.append('/');
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'u' -> {
                        if (at + 6 > text.length() || !isHex(text.substring(at + 2, at + 6))) {
                            throw new RuleTextException(line, escapeColumn, "`\\u` must be followed by four hexadecimal digits");
                        }
                        value.append((char) Integer.parseInt(text.substring(at + 2, at + 6), 16));
                        at += 4;
                    }
                    default -> throw new RuleTextException(line, escapeColumn,
                            "unknown escape `\\" + e + "` in text; write `\\\\` for a backslash and `\\\"` for a quote");
                }
                at += 2;
                continue;
            }
            value.append(c);
            at++;
        }
        tokens.add(new Token(Kind.STRING, '"' + value.toString() + '"', value.toString(), openLine, column));
        endLine = line;
        endColumn = at - lineStart + 1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
