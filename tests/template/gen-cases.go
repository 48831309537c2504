//go:build ignore

// Generates tests/template/cases.txt, the table test-template.c checks the engine against, by
// running every case through Go's text/template: the expected output or error message is whatever
// Go produces. Cases the engine rejects on purpose carry the expected error instead.
//
//	go run tests/template/gen-cases.go > tests/template/cases.txt
//
// Format: one case per line, tab-separated: name, kind, template, data, expected. kind is "ok"
// (expected is the output), "parse" or "exec" (expected is the exact message), or "parse~" or
// "exec~" (expected is a substring of the message). data is "key=value" pairs separated by ','.
// Every field escapes '\\', tab, newline, ',', '=' and bytes outside printable ASCII as \xHH.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/template"
)

type testCase struct {
	name   string
	tmpl   string
	data   map[string]string
	reject string // "parse~substring" or "exec~substring" when the engine deliberately differs from Go
}

var std = map[string]string{
	"a":     "1",
	"a-b":   "dash",
	"b":     "hello",
	"empty": "",
	"f":     "2.5",
	"n":     "-7",
	"name":  "world",
	"u":     "héllo wörld €\u00a0\u200b\x01",
	"x":     `<&'">`,
}

var goStore = map[string]string{"pool": "pool.lthn.io:3333", "wallet": "iz5aBc7Tq2xRWjzGhPzKNsYmNf8QvUoDX3LwYtE1kEaH9bQcFrJ6"}

var none = map[string]string{}

var cases = []testCase{
	// go-store's cases
	{"gostore-pool-wallet", "{{ .pool }}/{{ .wallet }}", goStore, ""},
	{"gostore-static", "static text", none, ""},
	{"gostore-unclosed", "{{ .unclosed", none, ""},
	{"gostore-missing", "hello {{ .missing }}", none, ""},
	{"gostore-call", "{{ call .name }}", map[string]string{"name": "x"}, ""},

	// text, comments, trim markers
	{"empty", "", std, ""},
	{"text-utf8", "héllo wörld € ✓ 😀\n", std, ""},
	{"text-binary", "a\x00b\xff\xfe{c}", std, ""},
	{"single-brace", "{ {x} }", std, ""},
	{"comment", "a{{/* comment */}}b", std, ""},
	{"comment-multiline", "a{{/* one\ntwo */}}b", std, ""},
	{"comment-trim", "a  {{- /* c */ -}}  b", std, ""},
	{"comment-unclosed", "a{{/* c", std, ""},
	{"comment-bad-end", "a{{/* c */ x}}", std, ""},
	{"trim-left", "a   \n {{- .a }}", std, ""},
	{"trim-right", "{{ .a -}} \n\t b", std, ""},
	{"trim-both", "x \n {{- .a -}} \n y", std, ""},
	{"trim-no-space", "x {{-3}} y", std, ""},
	{"trim-number", "x {{ -3 }} y", std, ""},
	{"trim-newline-marker", "x\n{{-\n.a\n-}}\ny", std, ""},
	{"trim-all-blank", "  {{- \"\" -}}  ", std, ""},

	// fields, dot, $
	{"field", "{{ .b }}", std, ""},
	{"field-dash-key-index", `{{ index . "a-b" }}`, std, ""},
	{"field-missing", "{{ .missing }}", std, ""},
	{"field-missing-chain", "{{ .missing.deeper }}", std, ""},
	{"field-on-string", "{{ .a.b }}", std, ""},
	{"field-on-string-line2", "x\n  {{ .b.c }}", std, ""},
	{"field-with-args", "{{ .a 1 }}", std, ""},
	{"field-unicode-key", "{{ .héllo }}", map[string]string{"héllo": "wörld"}, ""},
	{"dot-map", "{{ . }}", std, ""},
	{"dot-empty-map", "{{ . }}", none, ""},
	{"dollar", "{{ $ }}", map[string]string{"k": "v"}, ""},
	{"dollar-field", "{{ $.a }}", std, ""},
	{"dot-dot", "{{ ..a }}", std, ""},
	{"field-bad-char", "{{ .a#b }}", std, ""},
	{"chain-on-paren", `{{ (index . "a-b").x }}`, std, ""},
	{"chain-on-function", "{{ print.x }}", std, ""},
	{"chain-on-len", "{{ len.x }}", std, ""},
	{"string-field", `{{ "abc".x }}`, std, ""},

	// literals
	{"int", "{{ 3 }}", std, ""},
	{"int-negative", "{{ -42 }}", std, ""},
	{"int-plus", "{{ +5 }}", std, ""},
	{"hex-int", "{{ 0x1F }} {{ 0X1e }}", std, ""},
	{"octal-int", "{{ 017 }} {{ 0o17 }}", std, ""},
	{"binary-int", "{{ 0b101 }}", std, ""},
	{"underscore-int", "{{ 1_000_000 }} {{ 0x_1F }}", std, ""},
	{"underscore-bad", "{{ 1__0 }}", std, ""},
	{"int-max", "{{ 9223372036854775807 }} {{ -9223372036854775808 }}", std, ""},
	{"int-overflows-int", "{{ 9223372036854775808 }}", std, ""},
	{"int-overflow", "{{ 99999999999999999999 }}", std, ""},
	{"octal-bad", "{{ 08 }}", std, ""},
	{"float", "{{ 1.5 }} {{ -2.25 }} {{ .5 }} {{ 5. }}", std, ""},
	{"float-exp", "{{ 1e3 }} {{ 1e6 }} {{ 1e21 }} {{ 1e-7 }} {{ 0.0001 }} {{ 0.00001 }}", std, ""},
	{"float-digits", "{{ 123456.7 }} {{ 1234567.0 }} {{ 0.1 }} {{ 0.3 }} {{ 3.14159265358979 }} {{ 1e23 }}", std, ""},
	{"float-extremes", "{{ 1.7976931348623157e308 }} {{ 5e-324 }} {{ 2.2250738585072014e-308 }}", std, ""},
	{"float-negative-zero", "{{ -0.0 }} {{ -0 }}", std, ""},
	{"hex-float", "{{ 0x1p4 }} {{ 0x1.8p1 }}", std, ""},
	{"float-out-of-range", "{{ 1e400 }}", std, ""},
	{"number-bad-syntax", "{{ 1x }}", std, ""},
	{"number-incomplete-exp", "{{ 1e }}", std, ""},
	{"number-hex-prefix-only", "{{ 0x }}", std, ""},
	{"char", "{{ 'a' }} {{ '\\n' }} {{ 'é' }} {{ '\\x41' }} {{ '\\u00e9' }} {{ '\\U0001F600' }} {{ '\\101' }}", std, ""},
	{"char-malformed", "{{ 'ab' }}", std, ""},
	{"char-empty", "{{ '' }}", std, ""},
	{"char-unterminated", "{{ 'a }}", std, ""},
	{"string", `{{ "a\tb\n\"c\"\\ \x41\101\u00e9\U0001F600" }}`, std, ""},
	{"string-raw", "{{ `a\\n\"b` }}", std, ""},
	{"string-raw-cr", "{{ `a\r\nb` }}", std, ""},
	{"string-raw-multiline", "{{ `a\nb` }}", std, ""},
	{"string-bad-escape", `{{ "\q" }}`, std, ""},
	{"string-single-quote-escape", `{{ "\'" }}`, std, ""},
	{"string-unterminated", `{{ "abc }}`, std, ""},
	{"string-newline", "{{ \"a\nb\" }}", std, ""},
	{"string-invalid-utf8", "{{ \"a\xffb\" }}", std, ""},
	{"raw-unterminated", "{{ `abc }}", std, ""},
	{"bool", "{{ true }} {{ false }}", std, ""},
	{"nil-command", "{{ nil }}", std, ""},
	{"nil-print", "{{ print nil }}", std, ""},
	{"complex", "{{ 1i }}", std, "exec~complex number constants are not supported"},
	{"complex-sum", "{{ 1+2i }}", std, "parse~complex number constants are not supported"},

	// if / else / with / range
	{"if-true", "{{ if .a }}yes{{ end }}", std, ""},
	{"if-false-else", "{{ if .empty }}yes{{ else }}no{{ end }}", std, ""},
	{"if-missing", "{{ if .missing }}yes{{ else }}no{{ end }}", std, ""},
	{"if-else-if", `{{ if eq .a "2" }}two{{ else if eq .a "1" }}one{{ else }}other{{ end }}`, std, ""},
	{"if-truth-values", `{{ if 0 }}a{{ end }}{{ if 1 }}b{{ end }}{{ if 0.0 }}c{{ end }}{{ if "" }}d{{ end }}{{ if "x" }}e{{ end }}{{ if false }}f{{ end }}{{ if . }}g{{ end }}`, std, ""},
	{"if-empty-map", "{{ if . }}full{{ else }}empty{{ end }}", none, ""},
	{"if-nil", "{{ if nil }}x{{ end }}", std, ""},
	{"if-no-pipeline", "{{ if }}x{{ end }}", std, ""},
	{"if-unclosed", "{{ if .a }}x", std, ""},
	{"nested-if", "{{ if .a }}{{ if .b }}{{ if .missing }}no{{ else }}deep{{ end }}{{ end }}{{ end }}", std, ""},
	{"with", "{{ with .b }}[{{ . }}]{{ end }}", std, ""},
	{"with-else", "{{ with .missing }}[{{ . }}]{{ else }}none{{ end }}", std, ""},
	{"with-else-with", "{{ with .missing }}a{{ else with .b }}b{{ end }}", std, ""},
	{"with-else-if", "{{ with .missing }}a{{ else if .b }}b{{ end }}", std, ""},
	{"with-dot-int", "{{ with 5 }}{{ . }}{{ end }}", std, ""},
	{"with-field-on-int", "{{ with 5 }}{{ .x }}{{ end }}", std, ""},
	{"range-map", "{{ range . }}[{{ . }}]{{ end }}", map[string]string{"b": "2", "a": "1", "c": "3"}, ""},
	{"range-kv", "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", map[string]string{"z": "26", "a": "1", "m": "13"}, ""},
	{"range-v", "{{ range $v := . }}{{ $v }},{{ end }}", map[string]string{"y": "2", "x": "1"}, ""},
	{"range-empty-else", "{{ range . }}x{{ else }}empty{{ end }}", none, ""},
	{"range-missing-else", "{{ range .missing }}x{{ else }}nothing{{ end }}", std, ""},
	{"range-string", "{{ range .b }}x{{ end }}", std, ""},
	{"range-int", "{{ range 3 }}x{{ end }}", std, ""},
	{"range-break", `{{ range $k, $v := . }}{{ if eq $k "b" }}{{ break }}{{ end }}{{ $k }}{{ end }}`, std, ""},
	{"range-continue", `{{ range $k, $v := . }}{{ if eq $k "b" }}{{ continue }}{{ end }}{{ $k }}{{ end }}`, std, ""},
	{"break-outside-range", "{{ break }}", std, ""},
	{"continue-outside-range", "{{ if .a }}{{ continue }}{{ end }}", std, ""},
	{"break-in-range-else", "{{ range . }}{{ else }}{{ break }}{{ end }}", std, ""},
	{"break-with-args", "{{ range . }}{{ break 1 }}{{ end }}", std, ""},
	{"range-nested", "{{ range $a := . }}{{ range $b := $ }}{{ $a }}{{ $b }} {{ end }}{{ end }}", map[string]string{"p": "1", "q": "2"}, ""},
	{"range-three-vars", "{{ range $a, $b, $c := . }}{{ end }}", std, ""},
	{"range-bad-decl", "{{ range $a, 1 := . }}{{ end }}", std, ""},
	{"range-assign", "{{ $x := 0 }}{{ range $x = . }}{{ $x }}{{ end }}", map[string]string{"a": "A", "b": "B"}, ""},
	{"range-dot-inside", "{{ range . }}{{ .x }}{{ end }}", std, ""},
	{"range-dollar-inside", "{{ range . }}{{ $.a }}{{ end }}", map[string]string{"a": "1", "b": "2"}, ""},
	{"else-toplevel", "{{ else }}", std, ""},
	{"end-toplevel", "x {{ end }}", std, ""},
	{"end-with-args", "{{ if .a }}{{ end .a }}", std, ""},
	{"else-twice", "{{ if .a }}1{{ else }}2{{ else }}3{{ end }}", std, ""},

	// variables
	{"var-declare", "{{ $x := .b }}{{ $x }}", std, ""},
	{"var-assign", "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", std, ""},
	{"var-scope-if", "{{ if .a }}{{ $x := 1 }}{{ end }}{{ $x }}", std, ""},
	{"var-scope-if-visible-inside", "{{ $x := 1 }}{{ if .a }}{{ $x = 2 }}{{ $x }}{{ end }}{{ $x }}", std, ""},
	{"var-shadow", "{{ $x := 1 }}{{ if .a }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", std, ""},
	{"var-in-if-pipeline", "{{ if $y := .b }}{{ $y }}{{ else }}{{ $y }}{{ end }}", std, ""},
	{"var-undefined", "{{ $nope }}", std, ""},
	{"var-assign-undeclared", "{{ $nope = 1 }}", std, ""},
	{"var-field", "{{ $x := . }}{{ $x.b }}", std, ""},
	{"var-field-on-string", "{{ $x := .b }}{{ $x.c }}", std, ""},
	{"var-with-args", "{{ $x := 1 }}{{ $x 2 }}", std, ""},
	{"var-declare-no-output", "a{{ $x := \"hidden\" }}b", std, ""},
	{"var-too-many", "{{ $a, $b := 1 }}", std, ""},
	{"var-in-paren", "{{ ($x := 3) }}{{ $x }}", std, ""},
	{"var-range-loop-scope", "{{ range . }}{{ $y := . }}{{ end }}{{ $y }}", std, ""},

	// pipelines
	{"pipe-print", "{{ .b | print }}", std, ""},
	{"pipe-printf", `{{ .b | printf "<%s>" }}`, std, ""},
	{"pipe-chain", `{{ .b | printf "%s!" | len }}`, std, ""},
	{"pipe-paren", `{{ (print .a .b) }}`, std, ""},
	{"pipe-nested-paren", `{{ len (print (print .a) (print .b)) }}`, std, ""},
	{"pipe-non-executable", "{{ .a | 3 }}", std, ""},
	{"pipe-to-field", "{{ 1 | .a }}", std, ""},
	{"pipe-to-paren", "{{ 1 | (print) }}", std, ""},
	{"pipe-empty-command", "{{ .a | }}", std, ""},
	{"paren-unclosed", "{{ (print 1 }}", std, ""},
	{"paren-extra", "{{ print 1) }}", std, ""},
	{"paren-arg-to-nonfunc", "{{ (1) 2 }}", std, ""},
	{"nonfunc-arg", `{{ "x" 1 }}`, std, ""},
	{"empty-action", "{{ }}", std, ""},
	{"bad-char-in-action", "{{ .a ; }}", std, ""},
	{"unicode-in-action", "{{ .a \u00a0 }}", std, ""},
	{"colon-not-declare", "{{ $x : 1 }}", std, ""},

	// functions
	{"func-undefined", "{{ foo 1 }}", std, ""},
	{"and-or", "{{ and 1 2 }} {{ and 0 2 }} {{ or 0 \"\" }} {{ or 0 3 }} {{ and .a .b }} {{ or .missing .b }}", std, ""},
	{"and-short-circuit", "{{ and false (index .b 99) }} {{ or true (index .b 99) }}", std, ""},
	{"and-no-short-circuit-error", "{{ and true (index .b 99) }}", std, ""},
	{"and-missing", "{{ and .missing 1 }}", std, ""},
	{"and-no-args", "{{ and }}", std, ""},
	{"and-pipe", "{{ 0 | and 1 }} {{ 5 | or 0 }}", std, ""},
	{"not", "{{ not 0 }} {{ not .a }} {{ not .missing }} {{ not . }}", std, ""},
	{"not-arity", "{{ not 1 2 }}", std, ""},
	{"eq-multi", `{{ eq .a "2" "1" }} {{ eq .a "2" "3" }}`, std, ""},
	{"eq-types", `{{ eq 1 1 }} {{ eq 1.5 1.5 }} {{ eq true true }} {{ eq "a" "a" }} {{ eq 'a' 97 }}`, std, ""},
	{"eq-int-float", "{{ eq 1 1.0 }}", std, ""},
	{"eq-string-int", `{{ eq .a 1 }}`, std, ""},
	{"eq-missing", `{{ eq .missing .missing }} {{ eq .missing "x" }} {{ eq "x" .missing }} {{ eq . .missing }}`, std, ""},
	{"eq-map", "{{ eq . . }}", std, ""},
	{"eq-one-arg", "{{ eq 1 }}", std, ""},
	{"eq-byte", `{{ eq (index .b 0) 104 }} {{ eq 104 (index .b 0) }} {{ eq (index .b 0) (index .b 0) }}`, std, ""},
	{"ne", `{{ ne 1 2 }} {{ ne "a" "a" }}`, std, ""},
	{"ne-arity", "{{ ne 1 }}", std, ""},
	{"lt-le-gt-ge", `{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ lt -1 (index .b 0) }} {{ gt (index .b 0) 300 }}`, std, ""},
	{"lt-strings-bytewise", `{{ lt "Z" "a" }} {{ lt "é" "z" }} {{ lt "" "a" }}`, std, ""},
	{"lt-bool", "{{ lt true false }}", std, ""},
	{"lt-incompatible", `{{ lt 1 "1" }}`, std, ""},
	{"lt-missing", "{{ lt .missing 1 }}", std, ""},
	{"lt-map", "{{ lt . 1 }}", std, ""},
	{"le-incompatible", "{{ le 1 1.5 }}", std, ""},
	{"len", `{{ len . }} {{ len .b }} {{ len .u }} {{ len "" }}`, std, ""},
	{"len-empty-map", "{{ len . }}", none, ""},
	{"len-int", "{{ len 3 }}", std, ""},
	{"len-missing", "{{ len .missing }}", std, ""},
	{"len-nil", "{{ len nil }}", std, ""},
	{"len-no-args", "{{ len }}", std, ""},
	{"index-map", `{{ index . "a" }} [{{ index . "missing" }}] {{ index . "a-b" }}`, std, ""},
	{"index-string", "{{ index .b 0 }} {{ index .b 4 }}", std, ""},
	{"index-string-out-of-range", "{{ index .b 5 }}", std, ""},
	{"index-string-far-out-of-range", "{{ index .b 6 }}", std, ""},
	{"index-string-negative", "{{ index .b -1 }}", std, ""},
	{"index-string-with-string", `{{ index .b "x" }}`, std, ""},
	{"index-map-with-int", "{{ index . 1 }}", std, ""},
	{"index-map-with-missing", "{{ index . .missing }}", std, ""},
	{"index-missing", `{{ index .missing "a" }}`, std, ""},
	{"index-nil", "{{ index nil 1 }}", std, ""},
	{"index-no-indexes", "{{ index .b }}", std, ""},
	{"index-int", "{{ index 5 1 }}", std, ""},
	{"index-nested", `{{ index . "b" 1 }}`, std, ""},
	{"index-byte-of-byte", "{{ index .b 0 0 }}", std, ""},
	{"slice", "{{ slice .b 1 3 }} {{ slice .b 2 }} {{ slice .b }} {{ slice .b 5 }}", std, ""},
	{"slice-errors-order", "{{ slice .b 3 1 }}", std, ""},
	{"slice-out-of-range", "{{ slice .b 0 6 }}", std, ""},
	{"slice-3-index", "{{ slice .b 1 2 3 }}", std, ""},
	{"slice-map", "{{ slice . 1 }}", std, ""},
	{"call-missing", "{{ call .missing }}", std, ""},
	{"call-no-args", "{{ call }}", std, ""},
	{"call-int", "{{ call 1 2 }}", std, ""},
	{"print", `{{ print 1 2 "a" "b" 3 true nil .missing . }}`, std, ""},
	{"print-no-args", "[{{ print }}]", std, ""},
	{"println", `{{ println 1 "a" .missing }}`, std, ""},
	{"html", `{{ html .x }} {{ html "a\x00b" }} {{ html .u }}`, std, ""},
	{"html-args", `{{ html 1 "<" .missing 2 }} {{ html .missing }} {{ html }}`, std, ""},
	{"js", `{{ js .x }} {{ js "\\ = \t\n\x01\x7f é €" }} {{ js .u }} {{ js "\u2028\u00ad\U0001F600\xff" }}`, std, ""},
	{"js-args", `{{ js 1 2 }} {{ js .missing }}`, std, ""},
	{"urlquery", `{{ urlquery .x }} {{ urlquery "a b&c=d/e?f#g+h~i.j_k-l" }} {{ urlquery .u }}`, std, ""},
	{"urlquery-args", `{{ urlquery "a" "b" 1 2 }}`, std, ""},

	// printf
	{"printf-basic", `{{ printf "%s-%v-%d-%q" "a" "b" 3 "c" }}`, std, ""},
	{"printf-widths", `{{ printf "[%5s][%-5s][%05d][%-5d][%+d][% d][%x][%X][%#x][%#X][%o][%#o][%b]" "ab" "ab" 42 42 42 42 255 255 255 255 8 8 5 }}`, std, ""},
	{"printf-precision", `{{ printf "[%.2s][%5.1s][%.0d][%.3d][%8.3d][%-8.3d|][%.3x]" "abcdef" "xyz" 0 7 -7 7 10 }}`, std, ""},
	{"printf-string-hex", `{{ printf "%x %X % x %#x %# x %.2x" "hé" "hé" "abc" "abc" "abc" "abcdef" }}`, std, ""},
	{"printf-quote", `{{ printf "%q %+q %#q %#q" "a\"é\n" "é😀" "back" "has` + "`" + `tick" }}`, std, ""},
	{"printf-quote-control", `{{ printf "%q" "\x00\x07\x1b\x7f\u00ad\u200b\xff" }}`, std, ""},
	{"printf-int-verbs", `{{ printf "%c %q %U %#U %c %q %U" 65 233 9731 128512 -1 1114112 -5 }}`, std, ""},
	{"printf-bool", `{{ printf "%t %v %5t %s %d" true false true true false }}`, std, ""},
	{"printf-float-v", `{{ printf "%v %5v %-6v| %+v %010v % v %+010v" 1.5 2.5 3.5 4.5 -5.5 6.5 7.5 }}`, std, ""},
	{"printf-float-bad-verb", `{{ printf "%d %s %q" 1.5 2.5 3.5 }}`, std, ""},
	{"printf-map", `{{ printf "%v|%s|%q|%x|%d|%5v" . . . . . . }}`, map[string]string{"a": "1", "b": "é"}, ""},
	{"printf-nil", `{{ printf "%v %s %d %5v|" nil nil .missing nil }}`, std, ""},
	{"printf-type", `{{ printf "%T %T %T %T %T %T %T %.3T" 1 1.5 "s" true . nil (index .b 0) "abc" }}`, std, ""},
	{"printf-missing-arg", `{{ printf "%s %d" "a" }}`, std, ""},
	{"printf-extra-args", `{{ printf "%s" "a" 1 "b" nil . }}`, std, ""},
	{"printf-no-verb", `{{ printf "abc%" }} {{ printf "%5" 1 }} {{ printf "%-" 1 }}`, std, ""},
	{"printf-percent", `{{ printf "100%% %5%|%-5%" }}`, std, ""},
	{"printf-bad-verb", `{{ printf "%z %!" 1 "s" }} {{ printf "%é" 1 }} {{ printf "%+ z" 5 }}`, std, ""},
	{"printf-string-bad-verbs", `{{ printf "%d %t %c %e %p" "a" "b" "c" "d" "e" }}`, std, ""},
	{"printf-zero-flags", `{{ printf "%-05d|%05s|%0-5s|%+05d|% 05d|%#08x" 3 "ab" "ab" 3 3 255 }}`, std, ""},
	{"printf-byte", `{{ printf "%v %d %x %c %q %s" (index .b 0) (index .b 0) (index .b 0) (index .b 0) (index .b 0) (index .b 0) }}`, std, ""},
	{"printf-width-unicode", `{{ printf "[%6s][%-6s][%.2s]" "héé" "€€" "😀😀😀" }}`, std, ""},
	{"printf-large-width", `{{ len (printf "%1000000d" 1) }}`, std, ""},
	{"printf-too-large-width", `{{ printf "%100000001d" 1 }}`, std, ""},
	{"printf-nonstring-format", "{{ printf 3 }}", std, ""},
	{"printf-nil-format", "{{ printf nil }}", std, ""},
	{"printf-missing-format", "{{ printf .missing }}", std, ""},
	{"printf-map-format", "{{ printf . }}", std, ""},
	{"printf-format-from-pipe", `{{ "%s+%s" | printf }}`, std, ""},
	{"printf-int-from-pipe", `{{ 1 | printf }}`, std, ""},
	{"printf-no-args", "{{ printf }}", std, ""},
	{"printf-star", `{{ printf "%*d" 5 1 }}`, std, "exec~not supported"},
	{"printf-index", `{{ printf "%[1]d" 5 }}`, std, "exec~not supported"},
	{"printf-float-f", `{{ printf "%.2f" 1.5 }}`, std, "exec~not supported"},
	{"printf-float-e", `{{ printf "%e" 1.5 }}`, std, "exec~not supported"},
	{"printf-sharp-v", `{{ printf "%#v" .b }}`, std, "exec~%#v is not supported"},
	{"printf-pointer-map", `{{ printf "%p" . }}`, std, "exec~%p is not supported"},
	{"printf-pointer-string", `{{ printf "%p" "x" }}`, std, ""},

	// unsupported Go features
	{"define", `{{ define "x" }}hi{{ end }}`, std, "parse~{{define}} is not supported"},
	{"template", `{{ template "x" }}`, std, "parse~{{template}} is not supported"},
	{"block", `{{ block "x" . }}hi{{ end }}`, std, "parse~{{block}} is not supported"},
	{"define-nested", `{{ if .a }}{{ define "x" }}{{ end }}{{ end }}`, std, ""},

	// lexical and structural errors
	{"unclosed-action-multiline", "line1\n{{ .a\n\nmore", std, ""},
	{"unclosed-action-eof", "{{", std, ""},
	{"unexpected-eof", "{{ range . }}", std, ""},
	{"unexpected-end-multiline", "a\nb\n{{ end }}", std, ""},
	{"unexpected-rparen", "{{ ) }}", std, ""},
	{"unexpected-in-operand", `{{ .a"b" }}`, std, ""},
	{"unexpected-keyword", "{{ print if }}", std, ""},
	{"dot-after-number", "{{ 3.x }}", std, ""},
	{"assign-to-field", "{{ .a := 1 }}", std, ""},
	{"missing-value-for-if", "{{ if $x := }}{{ end }}", std, ""},
	{"error-in-action-spanning-lines", "{{ print\n1\n\"unterminated }}", std, ""},
	{"exec-error-position-line3", "a\nb\n  x {{ .a.b }}", std, ""},
	{"exec-error-in-nested-pipeline", `{{ print (len 3) }}`, std, ""},
	{"exec-error-in-chain", `{{ (print "x").y }}`, std, ""},
	{"exec-error-quoted-name", `{{ index .b "x%d" }}`, std, ""},

	// larger templates
	{"large-text", strings.Repeat("0123456789abcdef", 4096), std, ""},
	{"large-many-actions", strings.Repeat("{{ .a }}{{ .b }}-", 2000), std, ""},
	{"large-nested-ifs", strings.Repeat("{{ if .a }}", 50) + "deep" + strings.Repeat("{{ end }}", 50), std, ""},
	{"large-config", `[pool]
url = {{ .pool }}
{{- with .wallet }}
wallet = {{ . }}
{{- end }}
{{ range $k, $v := . -}}
{{ $k }} = {{ printf "%q" $v }}
{{ end -}}
threads = {{ or .threads "auto" }}
`, goStore, ""},
}

// escape makes a field safe for the line-oriented table.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c >= 0x7f || c == ',' || c == '=':
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func main() {
	names := map[string]bool{}
	fmt.Printf("# Generated by tests/template/gen-cases.go with %s; do not edit.\n", runtime.Version())
	for _, c := range cases {
		if names[c.name] {
			fmt.Fprintf(os.Stderr, "duplicate case %s\n", c.name)
			os.Exit(1)
		}
		names[c.name] = true

		kind, expected := "", ""
		t, err := template.New("render").Parse(c.tmpl)
		if err != nil {
			kind, expected = "parse", err.Error()
		} else {
			var out strings.Builder
			if err := t.Execute(&out, c.data); err != nil {
				kind, expected = "exec", err.Error()
			} else {
				kind, expected = "ok", out.String()
			}
		}
		if c.reject != "" {
			fmt.Fprintf(os.Stderr, "%s: rejected by the engine; Go gives %s: %.60q\n", c.name, kind, expected)
			parts := strings.SplitN(c.reject, "~", 2)
			kind, expected = parts[0]+"~", parts[1]
		}

		var keys, data []string
		for k := range c.data {
			keys = append(keys, k)
		}
		sort.Strings(keys) // bytewise, as the engine wants its entries
		for _, k := range keys {
			data = append(data, escape(k)+"="+escape(c.data[k]))
		}
		fmt.Printf("%s\t%s\t%s\t%s\t%s\n", c.name, kind, escape(c.tmpl), strings.Join(data, ","), escape(expected))
	}
}
