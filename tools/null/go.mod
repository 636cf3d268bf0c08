module talentbase.internal/tools/null

go 1.26.6

require github.com/hashicorp/terraform-provider-null v1.0.0
