// The cell equation language of RnnGraph (DESIGN.md §3).
//
// An `equations:` block holds one assignment per line, e.g.
//
//     r = sigmoid(xr + hr)          # a comment
//     xr, xz, xn = chunk(weight_ih @ x + bias_ih, 3)
//     h = (1 - z) * n + z * h[t-1]
//
// Newlines (and ';') separate assignments, so they are tokens; spaces, tabs and comments are
// skipped. A second entry rule parses a lone expression such as the dimension `3*hidden`.
//
// The C# parser under ../Generated is produced from this file by scripts/generate-parser.sh;
// edit this file and regenerate, never edit the generated code.
grammar CellEquations;

// ---- entry rules ----

// Lines are separated by NEWLINE or ';'; a line may be empty (blank lines, comment lines).
block
    : line (separator line)* EOF
    ;

line
    : assignment?
    ;

separator
    : NEWLINE
    | SEMI
    ;

singleExpression
    : expression EOF
    ;

// ---- assignments ----

assignment
    : NAME (COMMA NAME)* ASSIGN expression
    ;

// ---- expressions ----
// ANTLR gives earlier alternatives higher precedence, so unary sign binds tighter than
// `* / @`, which bind tighter than `+ -`; binary operators are left-associative.

expression
    : op = (MINUS | PLUS) expression                      # unaryExpression
    | expression op = (STAR | SLASH | AT) expression      # multiplicativeExpression
    | expression op = (PLUS | MINUS) expression           # additiveExpression
    | primary                                             # primaryExpression
    ;

primary
    : NUMBER                                              # numberLiteral
    // Only `[t-1]` is meaningful; the builder checks the time variable and the step so the
    // user gets a precise message instead of a generic syntax error.
    | NAME LBRACK time = NAME MINUS step = NUMBER RBRACK   # previousStep
    | NAME LPAREN arguments? RPAREN                       # call
    | NAME                                                # name
    | LPAREN expression RPAREN                            # parenthesized
    ;

arguments
    : expression (COMMA expression)*
    ;

// ---- tokens ----
// Punctuation is given named tokens so error messages can show each token's literal text.

ASSIGN : '=' ;
COMMA  : ',' ;
SEMI   : ';' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
PLUS   : '+' ;
MINUS  : '-' ;
STAR   : '*' ;
SLASH  : '/' ;
AT     : '@' ;

// 3, 0.5, .5, 2., 1e-3, 6.02E23 (no sign: `-1` is unary minus applied to 1).
NUMBER
    : DIGITS ('.' DIGITS?)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;

NAME : [A-Za-z_] [A-Za-z0-9_]* ;

NEWLINE : '\r'? '\n' | '\r' ;

WHITESPACE : [ \t\f]+ -> skip ;

COMMENT : '#' ~[\r\n]* -> skip ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
