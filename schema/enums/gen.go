package enums

//go:generate go run ../../internal/gen/enums -out enums_gen.go
