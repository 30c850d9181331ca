package builtin

//go:generate go run ../../internal/gen/openapi -kubernetes v1.34.4,v1.35.4,v1.36.3,v1.37.2 -out data
