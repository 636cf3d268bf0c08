//go:build tools

// Package tools pins the OpenTofu CLI used by the acceptance tests.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
