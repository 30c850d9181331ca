package yamlpos

// FastParse exposes the fast path to the external tests.
var FastParse = fastParse
