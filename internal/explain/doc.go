// Package explain renders the documentation of a kind or field, as kubectl explain does.
package explain
