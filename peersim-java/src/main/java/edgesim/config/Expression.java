package edgesim.config;

import java.util.function.ToDoubleFunction;

/**
 * Arithmetic over numbers and key names, as PeerSim's configuration allows ({@code episode_s / epoch_s}).
 * Grammar: sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*;
 * unary := '-' unary | atom; atom := number | name | '(' sum ')'. Names resolve through the given function.
 * Nesting (parentheses and unary minus) is bounded, so that no text can exhaust the parser's stack.
 */
final class Expression {
    /** Deepest nesting of parentheses and unary minus signs an expression may have. */
    static final int MAX_NESTING = 64;

    private final String text;
    private final ToDoubleFunction<String> names;
    private int pos;
    private int nesting;

    private Expression(String text, ToDoubleFunction<String> names) {
        this.text = text;
        this.names = names;
    }

    /** Evaluates {@code text}; throws IllegalArgumentException with the position of a syntax error. */
    static double evaluate(String text, ToDoubleFunction<String> names) {
        Expression e = new Expression(text, names);
        double value = e.sum();
        e.skipSpaces();
        if (e.pos != text.length()) {
            throw new IllegalArgumentException("unexpected '" + text.charAt(e.pos) + "' at position " + e.pos);
        }
        return value;
    }

    private double sum() {
        double value = product();
        while (true) {
            skipSpaces();
            if (eat('+')) {
                value += product();
            } else if (eat('-')) {
                value -= product();
            } else {
                return value;
            }
        }
    }

    private double product() {
        double value = unary();
        while (true) {
            skipSpaces();
            if (eat('*')) {
                value *= unary();
            } else if (eat('/')) {
                value /= unary();
            } else {
                return value;
            }
        }
    }

    private double unary() {
        skipSpaces();
        if (!eat('-')) {
            return atom();
        }
        enter();
        double value = -unary();
        nesting--;
        return value;
    }

    private double atom() {
        skipSpaces();
        if (eat('(')) {
            enter();
            double value = sum();
            skipSpaces();
            if (!eat(')')) {
                throw new IllegalArgumentException("missing ')' at position " + pos);
            }
            nesting--;
            return value;
        }
        int start = pos;
        if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                char previous = text.charAt(pos - 1 < 0 ? 0 : pos - 1);
                boolean exponentSign = (c == '+' || c == '-') && pos > start && (previous == 'e' || previous == 'E');
                if (!(Character.isDigit(c) || c == '.' || c == 'e' || c == 'E' || exponentSign)) {
                    break;
                }
                pos++;
            }
            return Double.parseDouble(text.substring(start, pos));
        }
        while (pos < text.length() && isNameChar(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException(pos < text.length()
                    ? "unexpected '" + text.charAt(pos) + "' at position " + pos
                    : "expression ends too early");
        }
        return names.applyAsDouble(text.substring(start, pos));
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw new IllegalArgumentException("nested deeper than " + MAX_NESTING
                    + " levels of parentheses or minus signs (at position " + pos + ")");
        }
    }

    static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private boolean eat(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }
}
