//go:build tools

// Package tools pins the Go provider the benchmarks compare against.
//
// The intended baseline, hashicorp/terraform-provider-null, cannot be had
// from the Go module proxy at a current SDK: its go.mod declares the legacy
// path github.com/terraform-providers/terraform-provider-null without a /v3
// suffix, so its v3.x tags are not valid module versions, and the proxy
// serves only v1.0.0 (2017, which no longer builds). The time provider is
// an equally small official provider on the same stack (terraform-plugin-
// framework, terraform-plugin-go, go-plugin, grpc-go) with a real release
// tag the proxy serves.
package tools

import _ "github.com/hashicorp/terraform-provider-time"
