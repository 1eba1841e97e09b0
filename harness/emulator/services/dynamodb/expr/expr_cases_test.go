package expr

import (
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// sampleItem is the item every evaluated case runs against.
const sampleItem = `{
 "id":{"S":"abc"}, "n":{"N":"10"}, "f":{"N":"1.5"}, "s":{"S":"hello world"},
 "b":{"B":"aGVsbG8="}, "t":{"BOOL":true}, "z":{"NULL":true}, "e0":{"S":""},
 "ss":{"SS":["a","b","c"]}, "ns":{"NS":["1","2","3"]}, "bs":{"BS":["YQ==","Yg=="]},
 "l":{"L":[{"S":"x"},{"N":"2"},{"M":{"k":{"S":"v"}}}]},
 "m":{"M":{"a":{"M":{"b":{"N":"5"}}},"lst":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]},"s":{"S":"in"}}}
}`

// exprCase is one expression with the outcome DynamoDB documents for it.
type exprCase struct {
	name   string
	kind   string // cond, update, proj, key
	src    string
	names  map[string]string
	values string // ExpressionAttributeValues JSON
	item   string // "" = sampleItem, "nil" = no item
	want   string // cond: "true"/"false"; update, proj: item JSON; key: KeyCondition.String()
	err    string // exact ValidationException message
	bind   [2]string
}

// A parse-time and an apply-time error are both compared against err.

var exprCases = []exprCase{
	// ---- conditions: comparisons ----
	{name: "eq number", kind: "cond", src: "n = :v", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "eq number other spelling", kind: "cond", src: "n = :v", values: `{":v":{"N":"1.0e1"}}`, want: "true"},
	{name: "eq string vs number type mismatch", kind: "cond", src: "n = :v", values: `{":v":{"S":"10"}}`, want: "false"},
	{name: "ne type mismatch", kind: "cond", src: "n <> :v", values: `{":v":{"S":"10"}}`, want: "true"},
	{name: "eq missing", kind: "cond", src: "nope = :v", values: `{":v":{"N":"10"}}`, want: "false"},
	{name: "ne missing is true", kind: "cond", src: "nope <> :v", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "lt number", kind: "cond", src: "n < :v", values: `{":v":{"N":"11"}}`, want: "true"},
	{name: "lt number false", kind: "cond", src: "n < :v", values: `{":v":{"N":"9"}}`, want: "false"},
	{name: "numeric not lexical", kind: "cond", src: "n > :v", values: `{":v":{"N":"9"}}`, want: "true"},
	{name: "le equal", kind: "cond", src: "n <= :v", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "ge equal", kind: "cond", src: "n >= :v", values: `{":v":{"N":"10.000"}}`, want: "true"},
	{name: "gt equal false", kind: "cond", src: "n > :v", values: `{":v":{"N":"10"}}`, want: "false"},
	{name: "fraction compare", kind: "cond", src: "f < :v", values: `{":v":{"N":"1.51"}}`, want: "true"},
	{name: "negative compare", kind: "cond", src: "f > :v", values: `{":v":{"N":"-2"}}`, want: "true"},
	{name: "string prefix sorts first", kind: "cond", src: "s < :v", values: `{":v":{"S":"hello worlds"}}`, want: "true"},
	{name: "string byte order", kind: "cond", src: "s > :v", values: `{":v":{"S":"Hello"}}`, want: "true"},
	{name: "binary byte order", kind: "cond", src: "b > :v", values: `{":v":{"B":"aGVsbA=="}}`, want: "true"},
	{name: "bool not ordered", kind: "cond", src: "t < :v", values: `{":v":{"BOOL":true}}`, want: "false"},
	{name: "lt missing", kind: "cond", src: "nope < :v", values: `{":v":{"N":"1"}}`, want: "false"},
	{name: "lt type mismatch", kind: "cond", src: "s < :v", values: `{":v":{"N":"1"}}`, want: "false"},
	{name: "value on the left", kind: "cond", src: ":v = n", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "two values", kind: "cond", src: ":v = :v", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "empty string", kind: "cond", src: "e0 = :v", values: `{":v":{"S":""}}`, want: "true"},
	{name: "set equality ignores order", kind: "cond", src: "ss = :v", values: `{":v":{"SS":["c","a","b"]}}`, want: "true"},
	{name: "set inequality", kind: "cond", src: "ss = :v", values: `{":v":{"SS":["a","b"]}}`, want: "false"},
	{name: "list equality", kind: "cond", src: "l = :v", values: `{":v":{"L":[{"S":"x"},{"N":"2.0"},{"M":{"k":{"S":"v"}}}]}}`, want: "true"},
	{name: "map equality", kind: "cond", src: "m.a = :v", values: `{":v":{"M":{"b":{"N":"5"}}}}`, want: "true"},
	{name: "null equality", kind: "cond", src: "z = :v", values: `{":v":{"NULL":true}}`, want: "true"},
	{name: "nested path", kind: "cond", src: "m.a.b = :v", values: `{":v":{"N":"5"}}`, want: "true"},
	{name: "list index path", kind: "cond", src: "m.lst[1] = :v", values: `{":v":{"N":"2"}}`, want: "true"},
	{name: "list then map path", kind: "cond", src: "l[2].k = :v", values: `{":v":{"S":"v"}}`, want: "true"},
	{name: "name placeholders", kind: "cond", src: "#m.#a.b = :v", names: map[string]string{"#m": "m", "#a": "a"}, values: `{":v":{"N":"5"}}`, want: "true"},
	{name: "name with dot is one attribute", kind: "cond", src: "attribute_exists(#x)", names: map[string]string{"#x": "m.a"}, want: "false"},
	{name: "parenthesised path head", kind: "cond", src: "(m).a.b = :v", values: `{":v":{"N":"5"}}`, want: "true"},
	{name: "parenthesised operand", kind: "cond", src: "(n) = (:v)", values: `{":v":{"N":"10"}}`, want: "true"},
	// BETWEEN, IN
	{name: "between inside", kind: "cond", src: "n BETWEEN :lo AND :hi", values: `{":lo":{"N":"5"},":hi":{"N":"10"}}`, want: "true"},
	{name: "between outside", kind: "cond", src: "n between :lo and :hi", values: `{":lo":{"N":"11"},":hi":{"N":"20"}}`, want: "false"},
	{name: "between strings", kind: "cond", src: "s BETWEEN :lo AND :hi", values: `{":lo":{"S":"a"},":hi":{"S":"z"}}`, want: "true"},
	{name: "between type mismatch", kind: "cond", src: "s BETWEEN :lo AND :hi", values: `{":lo":{"N":"1"},":hi":{"N":"2"}}`, want: "false"},
	{name: "between missing", kind: "cond", src: "nope BETWEEN :lo AND :hi", values: `{":lo":{"N":"1"},":hi":{"N":"2"}}`, want: "false"},
	{name: "in match", kind: "cond", src: "n IN (:a, :b)", values: `{":a":{"N":"1"},":b":{"N":"10"}}`, want: "true"},
	{name: "in no match", kind: "cond", src: "n in (:a)", values: `{":a":{"N":"1"}}`, want: "false"},
	{name: "in type mismatch", kind: "cond", src: "s IN (:a)", values: `{":a":{"N":"1"}}`, want: "false"},
	// functions
	{name: "attribute_exists", kind: "cond", src: "attribute_exists(n)", want: "true"},
	{name: "attribute_exists missing", kind: "cond", src: "attribute_exists(nope)", want: "false"},
	{name: "attribute_exists null value", kind: "cond", src: "attribute_exists(z)", want: "true"},
	{name: "attribute_not_exists", kind: "cond", src: "attribute_not_exists(nope)", want: "true"},
	{name: "attribute_exists nested", kind: "cond", src: "attribute_exists(m.a.b)", want: "true"},
	{name: "attribute_exists nested missing", kind: "cond", src: "attribute_exists(m.a.c)", want: "false"},
	{name: "attribute_exists list element", kind: "cond", src: "attribute_exists(l[2].k)", want: "true"},
	{name: "attribute_exists past end", kind: "cond", src: "attribute_exists(l[3])", want: "false"},
	{name: "attribute_exists index into map", kind: "cond", src: "attribute_exists(m[0])", want: "false"},
	{name: "attribute_type N", kind: "cond", src: "attribute_type(n, :t)", values: `{":t":{"S":"N"}}`, want: "true"},
	{name: "attribute_type wrong", kind: "cond", src: "attribute_type(n, :t)", values: `{":t":{"S":"S"}}`, want: "false"},
	{name: "attribute_type SS", kind: "cond", src: "attribute_type(ss, :t)", values: `{":t":{"S":"SS"}}`, want: "true"},
	{name: "attribute_type NULL", kind: "cond", src: "attribute_type(z, :t)", values: `{":t":{"S":"NULL"}}`, want: "true"},
	{name: "attribute_type missing", kind: "cond", src: "attribute_type(nope, :t)", values: `{":t":{"S":"S"}}`, want: "false"},
	{name: "begins_with", kind: "cond", src: "begins_with(s, :p)", values: `{":p":{"S":"hell"}}`, want: "true"},
	{name: "begins_with no", kind: "cond", src: "begins_with(s, :p)", values: `{":p":{"S":"world"}}`, want: "false"},
	{name: "begins_with binary", kind: "cond", src: "begins_with(b, :p)", values: `{":p":{"B":"aGVs"}}`, want: "true"},
	{name: "begins_with on number attribute", kind: "cond", src: "begins_with(n, :p)", values: `{":p":{"S":"1"}}`, want: "false"},
	{name: "contains substring", kind: "cond", src: "contains(s, :p)", values: `{":p":{"S":"lo w"}}`, want: "true"},
	{name: "contains string set", kind: "cond", src: "contains(ss, :p)", values: `{":p":{"S":"b"}}`, want: "true"},
	{name: "contains string set no", kind: "cond", src: "contains(ss, :p)", values: `{":p":{"S":"z"}}`, want: "false"},
	{name: "contains number set by value", kind: "cond", src: "contains(ns, :p)", values: `{":p":{"N":"2.0"}}`, want: "true"},
	{name: "contains wrong member type", kind: "cond", src: "contains(ss, :p)", values: `{":p":{"N":"1"}}`, want: "false"},
	{name: "contains binary set", kind: "cond", src: "contains(bs, :p)", values: `{":p":{"B":"YQ=="}}`, want: "true"},
	{name: "contains binary substring", kind: "cond", src: "contains(b, :p)", values: `{":p":{"B":"ZWxs"}}`, want: "true"},
	{name: "contains list element", kind: "cond", src: "contains(l, :p)", values: `{":p":{"S":"x"}}`, want: "true"},
	{name: "contains list map element", kind: "cond", src: "contains(l, :p)", values: `{":p":{"M":{"k":{"S":"v"}}}}`, want: "true"},
	{name: "contains path operand", kind: "cond", src: "contains(s, m.s)", want: "false"},
	{name: "size string", kind: "cond", src: "size(s) = :v", values: `{":v":{"N":"11"}}`, want: "true"},
	{name: "size counts characters (AWS-verified)", kind: "cond", src: "size(b) = :b", values: `{":b":{"N":"3"}}`, item: `{"b":{"S":"abÿ"}}`, want: "true"},
	{name: "size parenthesised operand", kind: "cond", src: "((size(b)) = :b) AND c = :c", values: `{":b":{"N":"3"},":c":{"N":"1"}}`, item: `{"b":{"SS":["a","b","c"]},"c":{"N":"1"}}`, want: "true"},
	{name: "nested paths through list (AWS-verified)", kind: "cond", src: "(b[1].a.b = :b OR b.a.b = :b) AND c = :c", values: `{":b":{"S":"x"},":c":{"N":"1"}}`, item: `{"b":{"L":[{"S":"y"},{"M":{"a":{"M":{"b":{"S":"x"}}}}}]},"c":{"N":"1"}}`, want: "true"},
	{name: "attribute_type through list (AWS-verified)", kind: "cond", src: "(attribute_type(b.a, :m) OR attribute_type(b[1].a, :m)) AND c = :c", values: `{":m":{"S":"M"},":c":{"N":"1"}}`, item: `{"b":{"S":"x"},"c":{"N":"1"}}`, want: "false"},
	{name: "size empty string", kind: "cond", src: "size(e0) = :v", values: `{":v":{"N":"0"}}`, want: "true"},
	{name: "size binary", kind: "cond", src: "size(b) = :v", values: `{":v":{"N":"5"}}`, want: "true"},
	{name: "size set", kind: "cond", src: "size(ss) = :v", values: `{":v":{"N":"3"}}`, want: "true"},
	{name: "size list", kind: "cond", src: "size(l) > :v", values: `{":v":{"N":"2"}}`, want: "true"},
	{name: "size map", kind: "cond", src: "size(m) = :v", values: `{":v":{"N":"3"}}`, want: "true"},
	{name: "size of number is no value", kind: "cond", src: "size(n) > :v", values: `{":v":{"N":"0"}}`, want: "false"},
	{name: "size of missing", kind: "cond", src: "size(nope) = :v", values: `{":v":{"N":"0"}}`, want: "false"},
	{name: "size as right operand", kind: "cond", src: "n < size(s)", want: "true"},
	{name: "size of value", kind: "cond", src: "size(:v) = :n", values: `{":v":{"S":"abc"},":n":{"N":"3"}}`, want: "true"},
	// logic and precedence
	{name: "not", kind: "cond", src: "NOT n = :v", values: `{":v":{"N":"10"}}`, want: "false"},
	{name: "not function", kind: "cond", src: "NOT attribute_exists(nope)", want: "true"},
	{name: "and binds tighter than or", kind: "cond", src: "n = :a OR n = :b AND s = :c", values: `{":a":{"N":"10"},":b":{"N":"1"},":c":{"S":"x"}}`, want: "true"},
	{name: "parentheses override", kind: "cond", src: "(n = :a OR n = :b) AND s = :c", values: `{":a":{"N":"10"},":b":{"N":"1"},":c":{"S":"x"}}`, want: "false"},
	{name: "not binds tighter than and", kind: "cond", src: "NOT n = :x AND s = :s", values: `{":x":{"N":"1"},":s":{"S":"hello world"}}`, want: "true"},
	{name: "not of group", kind: "cond", src: "NOT (n = :x OR s = :s)", values: `{":x":{"N":"1"},":s":{"S":"hello world"}}`, want: "false"},
	{name: "keywords any case", kind: "cond", src: "n = :x aNd NoT s = :x oR t = :t", values: `{":x":{"N":"10"},":t":{"BOOL":true}}`, want: "true"},
	{name: "function in parentheses", kind: "cond", src: "(attribute_exists(n)) AND (n = :v)", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "no item", kind: "cond", src: "attribute_not_exists(id)", item: "nil", want: "true"},
	{name: "no item compare", kind: "cond", src: "id = :v", values: `{":v":{"S":"abc"}}`, item: "nil", want: "false"},
	{name: "whitespace everywhere", kind: "cond", src: "\tm . a\n. b\r= :v ", values: `{":v":{"N":"5"}}`, want: "true"},

	// ---- conditions: errors ----
	{name: "empty", kind: "cond", src: "", err: "Invalid ConditionExpression: The expression can not be empty;"},
	{name: "syntax bare number", kind: "filter", src: "a > 4", err: `Invalid FilterExpression: Syntax error; token: "4", near: "> 4"`},
	{name: "syntax words", kind: "cond", src: "things are not gonna be ok", err: `Invalid ConditionExpression: Syntax error; token: "are", near: "things are not"`},
	{name: "syntax trailing comma", kind: "cond", src: "a in (b,c,)", err: `Invalid ConditionExpression: Syntax error; token: ")", near: ",)"`},
	{name: "syntax eof", kind: "cond", src: "a =", err: `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
	{name: "syntax in without parens", kind: "cond", src: "a in b", err: `Invalid ConditionExpression: Syntax error; token: "b", near: "in b"`},
	{name: "syntax keyword as operand", kind: "cond", src: "a > between", err: `Invalid ConditionExpression: Syntax error; token: "between", near: "> between"`},
	{name: "syntax double not", kind: "cond", src: "NOT NOT a = b", err: `Invalid ConditionExpression: Syntax error; token: "NOT", near: "NOT NOT a"`},
	{name: "syntax non-ascii", kind: "cond", src: "ü > a", err: `Invalid ConditionExpression: Syntax error; token: "ü", near: "ü >"`},
	{name: "syntax value path", kind: "cond", src: "a > :things.stuff", err: `Invalid ConditionExpression: Syntax error; token: ".", near: ":things.stuff"`},
	{name: "syntax index not number", kind: "cond", src: "attribute_exists(asdf[a])", err: `Invalid ConditionExpression: Syntax error; token: "a", near: "[a]"`},
	{name: "syntax size path", kind: "cond", src: "size(a).b > a", err: `Invalid ConditionExpression: Syntax error; token: ".", near: ").b"`},
	{name: "syntax unclosed", kind: "cond", src: "(a = b", err: `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "b"`},
	{name: "syntax minus (AWS-verified)", kind: "cond", src: "a-b", err: `Invalid ConditionExpression: Syntax error; token: "-", near: "a-b"`},
	{name: "syntax value glued to name (AWS-verified)", kind: "filter", src: "pk = tenantAgent:abc123-x", err: `Invalid FilterExpression: Syntax error; token: ":abc123", near: "tenantAgent:abc123-"`},
	{name: "syntax empty call (AWS-verified)", kind: "key", src: "pk = :v AND contains()", values: `{":v":{"S":"x"}}`, err: `Invalid KeyConditionExpression: Syntax error; token: ")", near: "()"`},
	{name: "syntax bare hash (AWS-verified)", kind: "key", src: "PK = :pk and begins_with(LSI_SK_1, G_M#)", values: `{":pk":{"S":"x"}}`, err: `Invalid KeyConditionExpression: Syntax error; token: "#", near: "G_M#)"`},
	{name: "reserved word", kind: "cond", src: "status = :v", values: `{":v":{"S":"x"}}`, err: "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	{name: "reserved nested any case", kind: "filter", src: "a.abORt = :v", values: `{":v":{"S":"x"}}`, err: "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abORt"},
	{name: "reserved aliased is fine", kind: "cond", src: "#s = :v", names: map[string]string{"#s": "status"}, values: `{":v":{"S":"x"}}`, want: "false"},
	{name: "undefined name", kind: "cond", src: "#n = :v", values: `{":v":{"S":"x"}}`, err: "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"},
	{name: "undefined value", kind: "cond", src: "a = :v", err: "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"},
	{name: "unknown function", kind: "cond", src: "whatever(a)", err: "Invalid ConditionExpression: Invalid function name; function: whatever"},
	{name: "function names are case sensitive", kind: "filter", src: "attRIbute_exIsts(a)", err: "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts"},
	{name: "misused function", kind: "filter", src: "attribute_not_exists(things) > b", err: "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_not_exists"},
	{name: "misused size", kind: "filter", src: "size(things)", err: "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"},
	{name: "misused in between", kind: "filter", src: "a between b and attribute_exists(things)", err: "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
	{name: "redundant parentheses", kind: "filter", src: "a=a and a > ((views))", err: "Invalid FilterExpression: The expression has redundant parentheses;"},
	{name: "redundant condition parentheses", kind: "filter", src: "a=b OR ((a=c OR a=d)) OR a=e", err: "Invalid FilterExpression: The expression has redundant parentheses;"},
	{name: "operand count", kind: "filter", src: "attribute_exists(things, a) and a=b", err: "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
	{name: "operand count size", kind: "filter", src: "size(things, a) > b", err: "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
	{name: "distinct operands", kind: "filter", src: "#a <> a", names: map[string]string{"#a": "a"}, err: "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"},
	{name: "distinct function operands", kind: "filter", src: "contains(ab.bc[1].a, ab.bc[1].#a)", names: map[string]string{"#a": "a"}, err: "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"},
	{name: "begins_with number operand", kind: "filter", src: "begins_with(a, :v)", values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	{name: "begins_with size operand", kind: "filter", src: "begins_with(a, size(a)) and a=:v", values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	{name: "attribute_type number operand", kind: "filter", src: "attribute_type(a, :v)", values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
	{name: "attribute_type bad name", kind: "filter", src: "attribute_type(a, :v)", values: `{":v":{"S":"1"}}`, err: "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
	{name: "size of number value", kind: "filter", src: "size(:v) > a", values: `{":v":{"BOOL":true}}`, err: "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
	{name: "exists needs a path", kind: "filter", src: "attribute_exists(:v) and a=b", values: `{":v":{"S":"1"}}`, err: "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_exists"},
	{name: "between types", kind: "cond", src: "a between :lo and :hi", values: `{":lo":{"N":"1"},":hi":{"S":"a"}}`, err: "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
	{name: "between order", kind: "cond", src: "a between :lo and :hi", values: `{":lo":{"S":"b"},":hi":{"S":"a"}}`, err: "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
	{name: "between numeric order", kind: "cond", src: "a between :lo and :hi", values: `{":lo":{"N":"10"},":hi":{"N":"9"}}`, err: "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}"},
	{name: "in too many", kind: "cond", src: "a IN (" + strings.Repeat(":v,", 100) + ":v)", values: `{":v":{"N":"1"}}`, err: "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"},
	{name: "too long", kind: "filter", src: "a = :v" + strings.Repeat(" ", 4091), values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
	{name: "at size limit", kind: "cond", src: "n = :v" + strings.Repeat(" ", 4090), values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "in at limit", kind: "cond", src: "n IN (" + strings.Repeat(":v,", 99) + ":v)", values: `{":v":{"N":"10"}}`, want: "true"},
	{name: "precedence: parens before reserved", kind: "filter", src: "status = :v AND ((a = :v))", values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: The expression has redundant parentheses;"},
	{name: "precedence: reserved before undefined", kind: "filter", src: "#x = :v AND views = :v", values: `{":v":{"N":"1"}}`, err: "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views"},

	// ---- update expressions ----
	{name: "set new", kind: "update", src: "SET a = :v", values: `{":v":{"S":"x"}}`, item: `{"id":{"S":"1"}}`, want: `{"a":{"S":"x"},"id":{"S":"1"}}`},
	{name: "set keywords any case", kind: "update", src: "set a = :v remove b", values: `{":v":{"S":"x"}}`, item: `{"b":{"S":"1"}}`, want: `{"a":{"S":"x"}}`},
	{name: "set plus", kind: "update", src: "SET n = n + :one", values: `{":one":{"N":"1"}}`, item: `{"n":{"N":"10"}}`, want: `{"n":{"N":"11"}}`},
	{name: "set minus decimal", kind: "update", src: "SET n = n - :f", values: `{":f":{"N":"1.5"}}`, item: `{"n":{"N":"10"}}`, want: `{"n":{"N":"8.5"}}`},
	{name: "set values sum", kind: "update", src: "SET x = :a + :b", values: `{":a":{"N":"0.1"},":b":{"N":"0.2"}}`, item: `{}`, want: `{"x":{"N":"0.3"}}`},
	{name: "set exact 38 digits", kind: "update", src: "SET x = :a + :b", values: `{":a":{"N":"12345678901234567890123456789012345678"},":b":{"N":"1"}}`, item: `{}`, want: `{"x":{"N":"12345678901234567890123456789012345679"}}`},
	{name: "if_not_exists missing", kind: "update", src: "SET c = if_not_exists(c, :z)", values: `{":z":{"N":"0"}}`, item: `{}`, want: `{"c":{"N":"0"}}`},
	{name: "if_not_exists present", kind: "update", src: "SET c = if_not_exists(c, :z)", values: `{":z":{"N":"0"}}`, item: `{"c":{"N":"7"}}`, want: `{"c":{"N":"7"}}`},
	{name: "counter idiom", kind: "update", src: "SET c = if_not_exists(c, :z) + :one", values: `{":z":{"N":"0"},":one":{"N":"1"}}`, item: `{}`, want: `{"c":{"N":"1"}}`},
	{name: "list_append end", kind: "update", src: "SET l = list_append(l, :x)", values: `{":x":{"L":[{"N":"3"}]}}`, item: `{"l":{"L":[{"N":"1"},{"N":"2"}]}}`, want: `{"l":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]}}`},
	{name: "list_append front", kind: "update", src: "SET l = list_append(:x, l)", values: `{":x":{"L":[{"N":"0"}]}}`, item: `{"l":{"L":[{"N":"1"}]}}`, want: `{"l":{"L":[{"N":"0"},{"N":"1"}]}}`},
	{name: "list_append with if_not_exists", kind: "update", src: "SET l = list_append(if_not_exists(l, :e), :x)", values: `{":e":{"L":[]},":x":{"L":[{"N":"1"}]}}`, item: `{}`, want: `{"l":{"L":[{"N":"1"}]}}`},
	{name: "set nested new key", kind: "update", src: "SET m.a.c = :v", values: `{":v":{"N":"1"}}`, item: `{"m":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`, want: `{"m":{"M":{"a":{"M":{"b":{"N":"5"},"c":{"N":"1"}}}}}}`},
	{name: "set list element", kind: "update", src: "SET l[1] = :v", values: `{":v":{"S":"y"}}`, item: `{"l":{"L":[{"N":"1"},{"N":"2"}]}}`, want: `{"l":{"L":[{"N":"1"},{"S":"y"}]}}`},
	{name: "set past end appends", kind: "update", src: "SET l[10] = :v", values: `{":v":{"S":"y"}}`, item: `{"l":{"L":[{"N":"1"}]}}`, want: `{"l":{"L":[{"N":"1"},{"S":"y"}]}}`},
	{name: "set past end in index order", kind: "update", src: "SET l[5] = :a, l[4] = :b", values: `{":a":{"S":"a"},":b":{"S":"b"}}`, item: `{"l":{"L":[{"N":"1"}]}}`, want: `{"l":{"L":[{"N":"1"},{"S":"b"},{"S":"a"}]}}`},
	{name: "set reads old values", kind: "update", src: "SET a = n, n = :v", values: `{":v":{"N":"1"}}`, item: `{"n":{"N":"10"}}`, want: `{"a":{"N":"10"},"n":{"N":"1"}}`},
	{name: "set copies document", kind: "update", src: "SET c = m.a", item: `{"m":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`, want: `{"c":{"M":{"b":{"N":"5"}}},"m":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`},
	{name: "set parenthesised value", kind: "update", src: "SET n = (n + :one)", values: `{":one":{"N":"1"}}`, item: `{"n":{"N":"1"}}`, want: `{"n":{"N":"2"}}`},
	{name: "set name placeholder", kind: "update", src: "SET #s = :v", names: map[string]string{"#s": "status"}, values: `{":v":{"S":"ok"}}`, item: `{}`, want: `{"status":{"S":"ok"}}`},
	{name: "remove", kind: "update", src: "REMOVE s, t", item: `{"s":{"S":"x"},"t":{"BOOL":true},"u":{"N":"1"}}`, want: `{"u":{"N":"1"}}`},
	{name: "remove list indexes are original", kind: "update", src: "REMOVE l[0], l[2]", item: `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}`, want: `{"l":{"L":[{"N":"1"},{"N":"3"}]}}`},
	{name: "remove past end no-op", kind: "update", src: "REMOVE l[10]", item: `{"l":{"L":[{"N":"0"}]}}`, want: `{"l":{"L":[{"N":"0"}]}}`},
	{name: "remove missing no-op", kind: "update", src: "REMOVE nope", item: `{"a":{"N":"0"}}`, want: `{"a":{"N":"0"}}`},
	{name: "remove nested", kind: "update", src: "REMOVE m.a.b", item: `{"m":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`, want: `{"m":{"M":{"a":{"M":{}}}}}`},
	{name: "remove and set in one list", kind: "update", src: "REMOVE l[0] SET l[1] = :v", values: `{":v":{"S":"y"}}`, item: `{"l":{"L":[{"N":"0"},{"N":"1"}]}}`, want: `{"l":{"L":[{"S":"y"}]}}`},
	{name: "add number", kind: "update", src: "ADD n :one", values: `{":one":{"N":"1"}}`, item: `{"n":{"N":"10"}}`, want: `{"n":{"N":"11"}}`},
	{name: "add number missing creates", kind: "update", src: "ADD c :v", values: `{":v":{"N":"-2.5"}}`, item: `{}`, want: `{"c":{"N":"-2.5"}}`},
	{name: "add set union", kind: "update", src: "ADD ss :v", values: `{":v":{"SS":["c","d"]}}`, item: `{"ss":{"SS":["a","b","c"]}}`, want: `{"ss":{"SS":["a","b","c","d"]}}`},
	{name: "add set missing creates", kind: "update", src: "ADD ns :v", values: `{":v":{"NS":["1"]}}`, item: `{}`, want: `{"ns":{"NS":["1"]}}`},
	{name: "add number set by value", kind: "update", src: "ADD ns :v", values: `{":v":{"NS":["1.0","4"]}}`, item: `{"ns":{"NS":["1","2"]}}`, want: `{"ns":{"NS":["1","2","4"]}}`},
	{name: "delete from set", kind: "update", src: "DELETE ss :v", values: `{":v":{"SS":["a","zz"]}}`, item: `{"ss":{"SS":["a","b","c"]}}`, want: `{"ss":{"SS":["b","c"]}}`},
	{name: "delete empties set", kind: "update", src: "DELETE ss :v", values: `{":v":{"SS":["a","b"]}}`, item: `{"ss":{"SS":["a","b"]},"x":{"N":"1"}}`, want: `{"x":{"N":"1"}}`},
	{name: "delete missing no-op", kind: "update", src: "DELETE ss :v", values: `{":v":{"SS":["a"]}}`, item: `{}`, want: `{}`},
	{name: "all four clauses", kind: "update", src: "SET a = :s REMOVE r ADD n :one DELETE ss :d", values: `{":s":{"S":"x"},":one":{"N":"1"},":d":{"SS":["a"]}}`, item: `{"r":{"N":"1"},"n":{"N":"1"},"ss":{"SS":["a","b"]}}`, want: `{"a":{"S":"x"},"n":{"N":"2"},"ss":{"SS":["b"]}}`},
	{name: "clauses in any order", kind: "update", src: "ADD n :one SET a = n", values: `{":one":{"N":"1"}}`, item: `{"n":{"N":"1"}}`, want: `{"a":{"N":"1"},"n":{"N":"2"}}`},
	{name: "nested document update (AWS-verified shape)", kind: "update",
		src:    "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
		values: `{":a":{"N":"2"},":b":{"SS":["a"]}}`,
		item:   `{"a":{"S":"k"},"b":{"M":{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}},"c":{"L":[{"N":"1"},{"N":"3"}]}}`,
		want:   `{"a":{"S":"k"},"b":{"M":{"a":{"S":"k"},"b":{"N":"2"},"c":{"N":"4"}}},"c":{"L":[{"N":"1"},{"S":"k"},{"N":"3"},{"N":"-1"},{"N":"2"},{"SS":["a"]}]}}`},
	{name: "syntax chained plus", kind: "update", src: "set a = b + c + d", err: `Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"`},
	{name: "syntax grouped path in update", kind: "update", src: "set a = (b.c).d + e", err: `Invalid UpdateExpression: Syntax error; token: ".", near: ").d"`},
	{name: "syntax string literal", kind: "update", src: `set a[1] = "eight"`, err: `Invalid UpdateExpression: Syntax error; token: """, near: "= "eight"`},
	{name: "syntax function as target", kind: "update", src: "SET if_not_exist(a, b) = a", err: `Invalid UpdateExpression: Syntax error; token: "(", near: "if_not_exist(a"`},
	{name: "syntax value as target", kind: "update", src: "set :a = b", err: `Invalid UpdateExpression: Syntax error; token: ":a", near: "set :a ="`},
	{name: "unknown function before duplicate section", kind: "update", src: "set #c = if_not_exist(:c) set c = d", names: map[string]string{"#c": "c"}, values: `{":c":{"N":"1"}}`, err: "Invalid UpdateExpression: Invalid function name; function: if_not_exist"},
	{name: "reserved before everything", kind: "update", src: " remove Absolute ", err: "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute"},
	// update errors (parse time)
	{name: "update too long", kind: "update", src: "REMOVE a" + strings.Repeat(", a", 1500), err: "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 4508"},
	{name: "update empty", kind: "update", src: "", err: "Invalid UpdateExpression: The expression can not be empty;"},
	{name: "section twice", kind: "update", src: "SET a = :v SET b = :v", values: `{":v":{"N":"1"}}`, err: `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
	{name: "remove twice", kind: "update", src: "REMOVE a REMOVE b", err: `Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;`},
	{name: "overlap", kind: "update", src: "SET a = :v, a.b = :v", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
	{name: "overlap across clauses", kind: "update", src: "SET a = :v REMOVE #a", names: map[string]string{"#a": "a"}, values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
	{name: "conflict", kind: "update", src: "SET a[0] = :v, a.b = :v", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
	{name: "update reserved", kind: "update", src: "SET status = :v", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	{name: "update unknown function", kind: "update", src: "SET a = foo(b)", err: "Invalid UpdateExpression: Invalid function name; function: foo"},
	{name: "update condition function", kind: "update", src: "SET a = size(b)", err: "Invalid UpdateExpression: Invalid function name; function: size"},
	{name: "if_not_exists needs path", kind: "update", src: "SET a = if_not_exists(:v, a)", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
	{name: "if_not_exists distinct", kind: "update", src: "SET episodeIds = if_not_exists(episodeIds, #e)", names: map[string]string{"#e": "episodeIds"}, err: "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [episodeIds]"},
	{name: "if_not_exists operands", kind: "update", src: "SET a = if_not_exists(a)", err: "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
	{name: "list_append operand type", kind: "update", src: "SET a = list_append(a, :v)", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
	{name: "plus operand type", kind: "update", src: "SET a = a + :v", values: `{":v":{"S":"1"}}`, err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
	{name: "add string", kind: "update", src: "ADD a :v", values: `{":v":{"S":"1"}}`, err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
	{name: "add list", kind: "update", src: "ADD a :v", values: `{":v":{"L":[]}}`, err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"},
	{name: "delete number", kind: "update", src: "DELETE a :v", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
	{name: "update undefined value", kind: "update", src: "SET a = :nope", err: "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
	{name: "update undefined name", kind: "update", src: "SET #x = :v", values: `{":v":{"N":"1"}}`, err: "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
	{name: "update syntax missing equals", kind: "update", src: "SET a :v", err: `Invalid UpdateExpression: Syntax error; token: ":v", near: "a :v"`},
	{name: "update syntax unknown section", kind: "update", src: "UPDATE a = :v", err: `Invalid UpdateExpression: Syntax error; token: "UPDATE", near: "UPDATE a"`},
	{name: "update syntax add needs value", kind: "update", src: "ADD a b", err: `Invalid UpdateExpression: Syntax error; token: "b", near: "a b"`},
	{name: "update syntax trailing comma", kind: "update", src: "REMOVE a,", err: `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`},
	// update errors (apply time)
	{name: "missing operand attribute", kind: "update", src: "SET x = nope + :one", values: `{":one":{"N":"1"}}`, item: `{}`, err: "The provided expression refers to an attribute that does not exist in the item"},
	{name: "plus on string", kind: "update", src: "SET s = s + :one", values: `{":one":{"N":"1"}}`, item: `{"s":{"S":"x"}}`, err: "An operand in the update expression has an incorrect data type"},
	{name: "add to string", kind: "update", src: "ADD s :one", values: `{":one":{"N":"1"}}`, item: `{"s":{"S":"x"}}`, err: "An operand in the update expression has an incorrect data type"},
	{name: "add set to other set type", kind: "update", src: "ADD ns :v", values: `{":v":{"SS":["1"]}}`, item: `{"ns":{"NS":["1"]}}`, err: "An operand in the update expression has an incorrect data type"},
	{name: "delete other set type", kind: "update", src: "DELETE ns :v", values: `{":v":{"SS":["1"]}}`, item: `{"ns":{"NS":["1"]}}`, err: "An operand in the update expression has an incorrect data type"},
	{name: "list_append on number", kind: "update", src: "SET l = list_append(n, :l)", values: `{":l":{"L":[]}}`, item: `{"n":{"N":"1"}}`, err: "An operand in the update expression has an incorrect data type"},
	{name: "set under missing parent", kind: "update", src: "SET nope.a = :v", values: `{":v":{"N":"1"}}`, item: `{}`, err: "The document path provided in the update expression is invalid for update"},
	{name: "set under scalar", kind: "update", src: "SET s.a = :v", values: `{":v":{"N":"1"}}`, item: `{"s":{"S":"x"}}`, err: "The document path provided in the update expression is invalid for update"},
	{name: "index into map", kind: "update", src: "SET m[0] = :v", values: `{":v":{"N":"1"}}`, item: `{"m":{"M":{}}}`, err: "The document path provided in the update expression is invalid for update"},
	{name: "remove under missing parent", kind: "update", src: "REMOVE nope.x", item: `{}`, err: "The document path provided in the update expression is invalid for update"},
	{name: "sum overflow", kind: "update", src: "SET n = n + :big", values: `{":big":{"N":"9.9999999999999999999999999999999999999E+125"}}`, item: `{"n":{"N":"9.9999999999999999999999999999999999999E+125"}}`, err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	{name: "sum precision", kind: "update", src: "SET n = n + :tiny", values: `{":tiny":{"N":"1e-100"}}`, item: `{"n":{"N":"10"}}`, err: "Attempting to store more than 38 significant digits in a Number"},

	// ---- projection expressions ----
	{name: "project top level", kind: "proj", src: "id, n", want: `{"id":{"S":"abc"},"n":{"N":"10"}}`},
	{name: "project nested", kind: "proj", src: "m.a.b", want: `{"m":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`},
	{name: "project list elements close up", kind: "proj", src: "l[2].k, l[0]", want: `{"l":{"L":[{"S":"x"},{"M":{"k":{"S":"v"}}}]}}`},
	{name: "project list elements in index order", kind: "proj", src: "m.lst[2], m.lst[0]", want: `{"m":{"M":{"lst":{"L":[{"N":"1"},{"N":"3"}]}}}}`},
	{name: "project siblings merge", kind: "proj", src: "m.a, m.s", want: `{"m":{"M":{"a":{"M":{"b":{"N":"5"}}},"s":{"S":"in"}}}}`},
	{name: "project missing skipped", kind: "proj", src: "nope, id, m.zz", want: `{"id":{"S":"abc"}}`},
	{name: "project names", kind: "proj", src: "#i", names: map[string]string{"#i": "id"}, want: `{"id":{"S":"abc"}}`},
	{name: "project nested (AWS-verified shape)", kind: "proj", src: "b.c,c[2],b.b,c[1],c[0].a",
		item: `{"a":{"S":"k"},"b":{"M":{"a":{"S":"a"},"b":{"S":"b"},"c":{"S":"c"}}},"c":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]}}`,
		want: `{"b":{"M":{"b":{"S":"b"},"c":{"S":"c"}}},"c":{"L":[{"S":"b"},{"S":"c"}]}}`},
	{name: "project index of index", kind: "proj", src: "#b.#c,#c[2],#b.#b,#c[1],#c[0][1]", names: map[string]string{"#b": "b", "#c": "c"},
		item: `{"a":{"S":"k"},"b":{"M":{"a":{"S":"a"},"b":{"S":"b"},"c":{"S":"c"}}},"c":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]}}`,
		want: `{"b":{"M":{"b":{"S":"b"},"c":{"S":"c"}}},"c":{"L":[{"S":"b"},{"S":"c"}]}}`},
	{name: "project empty", kind: "proj", src: "", err: "Invalid ProjectionExpression: The expression can not be empty;"},
	{name: "project overlap", kind: "proj", src: "a, a.b", err: "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
	{name: "project overlap list", kind: "proj", src: "a, #a[1]", names: map[string]string{"#a": "a"}, err: "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, [1]]"},
	{name: "project conflict", kind: "proj", src: "a.b, #a[1]", names: map[string]string{"#a": "a"}, err: "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
	{name: "project reserved", kind: "proj", src: "a.abORt", err: "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: abORt"},
	{name: "project undefined name", kind: "proj", src: "a,b,#a", err: "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"},
	{name: "project syntax double comma", kind: "proj", src: "a,,b", err: `Invalid ProjectionExpression: Syntax error; token: ",", near: ",,b"`},
	{name: "project syntax parens", kind: "proj", src: "(a)", err: `Invalid ProjectionExpression: Syntax error; token: "(", near: "(a"`},
	{name: "project syntax minus", kind: "proj", src: "a-b", err: `Invalid ProjectionExpression: Syntax error; token: "-", near: "a-b"`},
	{name: "project syntax value", kind: "proj", src: ":a", err: `Invalid ProjectionExpression: Syntax error; token: ":a", near: ":a"`},

	// ---- key condition expressions ----
	{name: "key hash only", kind: "key", src: "id = :v", values: `{":v":{"S":"a"}}`, bind: [2]string{"id", ""}, want: "id = a"},
	{name: "key hash and range", kind: "key", src: "id = :v AND sk > :r", values: `{":v":{"S":"a"},":r":{"N":"5"}}`, bind: [2]string{"id", "sk"}, want: "id = a AND sk > 5"},
	{name: "key range first", kind: "key", src: "sk BETWEEN :a AND :b AND id = :v", values: `{":v":{"S":"h"},":a":{"N":"1"},":b":{"N":"2"}}`, bind: [2]string{"id", "sk"}, want: "id = h AND sk BETWEEN 1 2"},
	{name: "key begins_with", kind: "key", src: "begins_with(sk, :p) and id = :v", values: `{":v":{"S":"h"},":p":{"S":"pre"}}`, bind: [2]string{"id", "sk"}, want: "id = h AND sk begins_with pre"},
	{name: "key value first flips", kind: "key", src: "id = :v AND :r < sk", values: `{":v":{"S":"h"},":r":{"N":"5"}}`, bind: [2]string{"id", "sk"}, want: "id = h AND sk > 5"},
	{name: "key names", kind: "key", src: "#h = :v AND #r <= :r", names: map[string]string{"#h": "id", "#r": "date"}, values: `{":v":{"S":"h"},":r":{"S":"2020"}}`, bind: [2]string{"id", "date"}, want: "id = h AND date <= 2020"},
	{name: "key parenthesised", kind: "key", src: "(id = :v) AND (sk = :v)", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", "sk"}, want: "id = h AND sk = h"},
	{name: "key or", kind: "key", src: "id = :v OR sk = :v", values: `{":v":{"S":"h"}}`, err: "Invalid operator used in KeyConditionExpression: OR"},
	{name: "key ne", kind: "key", src: "id <> :v", values: `{":v":{"S":"h"}}`, err: "Invalid operator used in KeyConditionExpression: <>"},
	{name: "key not", kind: "key", src: "not id = :v", values: `{":v":{"S":"h"}}`, err: "Invalid operator used in KeyConditionExpression: NOT"},
	{name: "key in", kind: "key", src: "id IN (:v)", values: `{":v":{"S":"h"}}`, err: "Invalid operator used in KeyConditionExpression: IN"},
	{name: "key attribute_exists", kind: "key", src: "attribute_exists(id)", err: "Invalid operator used in KeyConditionExpression: attribute_exists"},
	{name: "key contains", kind: "key", src: "contains(id, :v)", values: `{":v":{"S":"h"}}`, err: "Invalid operator used in KeyConditionExpression: contains"},
	{name: "key size", kind: "key", src: "id = size(:v)", values: `{":v":{"S":"h"}}`, err: "KeyConditionExpressions cannot contain nested operations"},
	{name: "key nested attribute", kind: "key", src: "id = :v AND a.d > :v", values: `{":v":{"S":"h"}}`, err: "KeyConditionExpressions cannot have conditions on nested attributes"},
	{name: "key two names", kind: "key", src: "id = sk", err: "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
	{name: "key no name", kind: "key", src: ":a = :b AND id = :a", values: `{":a":{"N":"1"},":b":{"N":"1"}}`, err: "Invalid condition in KeyConditionExpression: No key attribute specified"},
	{name: "key between value first", kind: "key", src: ":a BETWEEN id AND :b", values: `{":a":{"N":"1"},":b":{"N":"1"}}`, err: "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
	{name: "key begins_with value first", kind: "key", src: "begins_with(:a, id)", values: `{":a":{"S":"1"}}`, err: "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
	{name: "key one condition per key", kind: "key", src: "id > :a AND id < :a", values: `{":a":{"N":"1"}}`, err: "KeyConditionExpressions must only contain one condition per key"},
	{name: "key three conditions", kind: "key", src: "a = :a AND b = :a AND c = :a", values: `{":a":{"N":"1"}}`, bind: [2]string{"a", "b"}, err: "KeyConditionExpressions must only contain one condition per key"},
	{name: "key between bounds", kind: "key", src: "id = :h AND sk between :b and :a", values: `{":h":{"S":"h"},":a":{"S":"a"},":b":{"S":"b"}}`, err: "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
	{name: "key syntax", kind: "key", src: "id = ", err: `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "= "`},
	{name: "key missed hash", kind: "key", src: "sk = :v", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", "sk"}, err: "Query condition missed key schema element: id"},
	{name: "key hash not equality", kind: "key", src: "id > :v", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", ""}, err: "Query key condition not supported"},
	{name: "key wrong range", kind: "key", src: "id = :v AND oth = :v", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", "sk"}, err: "Query condition missed key schema element: sk"},
	{name: "key range on hash-only table", kind: "key", src: "id = :v AND sk = :v", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", ""}, err: "Query key condition not supported"},
	{name: "key neither is key", kind: "key", src: "y = :v AND z = :v", values: `{":v":{"S":"h"}}`, bind: [2]string{"id", ""}, err: "Query key condition not supported"},
}

func decodeValuesT(t *testing.T, s string) Values {
	t.Helper()
	if s == "" {
		return nil
	}
	m, err := attr.DecodeValues([]byte(s))
	if err != nil {
		t.Fatalf("values %s: %v", s, err)
	}
	return Values(m)
}

func decodeItemT(t *testing.T, s string) attr.Item {
	t.Helper()
	switch s {
	case "nil":
		return nil
	case "":
		s = sampleItem
	}
	it, err := attr.DecodeItem([]byte(s))
	if err != nil {
		t.Fatalf("item %s: %v", s, err)
	}
	return it
}

// checkErr asserts err is a ValidationException with exactly msg.
func checkErr(t *testing.T, err error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %q, got none", msg)
	}
	e, ok := err.(*awsproto.Error)
	if !ok {
		t.Fatalf("want *awsproto.Error, got %T %v", err, err)
	}
	if e.Code != "ValidationException" || e.Status != 400 {
		t.Errorf("code %s/%d, want ValidationException/400", e.Code, e.Status)
	}
	if e.Message != msg {
		t.Errorf("message\n got: %s\nwant: %s", e.Message, msg)
	}
}

func TestExpressionCases(t *testing.T) {
	for _, tc := range exprCases {
		t.Run(tc.kind+"/"+tc.name, func(t *testing.T) {
			values := decodeValuesT(t, tc.values)
			names := Names(tc.names)
			u := NewUsage()
			switch tc.kind {
			case "cond", "filter":
				label := "ConditionExpression"
				if tc.kind == "filter" {
					label = "FilterExpression"
				}
				c, err := ParseCondition(label, tc.src, names, values, u)
				if tc.err != "" {
					checkErr(t, err, tc.err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Eval(decodeItemT(t, tc.item))
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.want == "true"; got != want {
					t.Errorf("Eval = %v, want %v", got, want)
				}
			case "update":
				up, err := ParseUpdate(tc.src, names, values, u)
				if err == nil {
					item := decodeItemT(t, tc.item)
					before := string(attr.AppendItem(nil, item))
					var out attr.Item
					out, err = up.Apply(item)
					if after := string(attr.AppendItem(nil, item)); after != before {
						t.Errorf("Apply modified its input:\n%s\n%s", before, after)
					}
					if err == nil && tc.err == "" {
						if got := string(attr.AppendItem(nil, out)); got != tc.want {
							t.Errorf("Apply\n got: %s\nwant: %s", got, tc.want)
						}
					}
				}
				if tc.err != "" {
					checkErr(t, err, tc.err)
				} else if err != nil {
					t.Fatal(err)
				}
			case "proj":
				p, err := ParseProjection(tc.src, names, u)
				if tc.err != "" {
					checkErr(t, err, tc.err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := string(attr.AppendItem(nil, p.Apply(decodeItemT(t, tc.item)))); got != tc.want {
					t.Errorf("Apply\n got: %s\nwant: %s", got, tc.want)
				}
			case "key":
				k, err := ParseKeyCondition(tc.src, names, values, u)
				if err == nil && tc.bind[0] != "" {
					err = k.Bind(tc.bind[0], tc.bind[1])
				}
				if tc.err != "" {
					checkErr(t, err, tc.err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := k.String(); got != tc.want {
					t.Errorf("KeyCondition = %q, want %q", got, tc.want)
				}
			default:
				t.Fatalf("unknown kind %q", tc.kind)
			}
			// Whatever parsed must have used every placeholder it was given.
			if tc.err == "" {
				if err := u.Check(names, values); err != nil {
					t.Errorf("usage: %v", err)
				}
			}
		})
	}
}

func TestUsageCheck(t *testing.T) {
	names := Names{"#a": "a", "#b": "b", "#c": "c"}
	values := Values{":x": attr.String("x"), ":y": attr.String("y")}
	u := NewUsage()
	if _, err := ParseCondition("ConditionExpression", "#c = :x", names, values, u); err != nil {
		t.Fatal(err)
	}
	checkErr(t, u.Check(names, values), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}")
	if _, err := ParseProjection("#a, #b", names, u); err != nil {
		t.Fatal(err)
	}
	checkErr(t, u.Check(names, values), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}")
	if _, err := ParseUpdate("SET q = :y", names, values, u); err != nil {
		t.Fatal(err)
	}
	if err := u.Check(names, values); err != nil {
		t.Fatal(err)
	}
	// A rejected expression records nothing.
	u2 := NewUsage()
	if _, err := ParseCondition("ConditionExpression", "#a = :x AND status = :y", names, values, u2); err == nil {
		t.Fatal("want reserved-word error")
	}
	checkErr(t, u2.Check(Names{"#a": "a"}, nil), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}")
}

func TestRequestParameterChecks(t *testing.T) {
	checkErr(t, CheckNames(Names{}), "ExpressionAttributeNames must not be empty")
	checkErr(t, CheckNames(Names{"a": "a"}), `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`)
	if err := CheckNames(Names{"#a_1": "a"}); err != nil {
		t.Fatal(err)
	}
	_, err := DecodeValues([]byte(`{}`))
	checkErr(t, err, "ExpressionAttributeValues must not be empty")
	_, err = DecodeValues([]byte(`{"a":{"S":"x"}}`))
	checkErr(t, err, `ExpressionAttributeValues contains invalid key: Syntax error; key: "a"`)
	_, err = DecodeValues([]byte(`{":a":{"NS":[]}}`))
	checkErr(t, err, "1 validation error detected: One or more parameter values were invalid: An number set  may not be empty")
	_, err = DecodeValues([]byte(`{":a":{"N":"x"}}`))
	checkErr(t, err, "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x for key :a")
}

// TestUpdatePaths checks the paths reported for ReturnValues.
func TestUpdatePaths(t *testing.T) {
	up, err := ParseUpdate("SET a.b[1] = :v, #c = :v REMOVE d ADD e :n", Names{"#c": "c"}, Values{":v": attr.String("x"), ":n": attr.Int(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range up.Paths() {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "a.b[1] c d e" {
		t.Errorf("Paths = %v", got)
	}
	item := decodeItemT(t, `{"a":{"M":{"b":{"L":[{"N":"0"},{"N":"1"}]},"z":{"N":"9"}}},"d":{"N":"1"},"q":{"N":"2"}}`)
	out, err := up.Apply(item)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(attr.AppendItem(nil, Project(item, up.Paths()))); got != `{"a":{"M":{"b":{"L":[{"N":"1"}]}}},"d":{"N":"1"}}` {
		t.Errorf("UPDATED_OLD = %s", got)
	}
	if got := string(attr.AppendItem(nil, Project(out, up.Paths()))); got != `{"a":{"M":{"b":{"L":[{"S":"x"}]}}},"c":{"S":"x"},"e":{"N":"1"}}` {
		t.Errorf("UPDATED_NEW = %s", got)
	}
}

func TestConditionPaths(t *testing.T) {
	c, err := ParseCondition("FilterExpression", "(a.b[2] = :v OR NOT attribute_exists(#n)) AND size(c) BETWEEN :v AND :v AND d IN (:v, e)",
		Names{"#n": "named"}, Values{":v": attr.Int(1)}, NewUsage())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Paths() {
		got = append(got, p.String())
	}
	if want := "a.b[2] named c d e"; strings.Join(got, " ") != want {
		t.Fatalf("Paths() = %q, want %q", strings.Join(got, " "), want)
	}
}
