//go:build tools

// Package tools pins the Go provider the benchmarks compare against.
package tools

import _ "github.com/hashicorp/terraform-provider-null"
