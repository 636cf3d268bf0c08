terraform {
  required_providers {
    talentbase = {
      source = "registry.talentbase.internal/platform/talentbase"
    }
  }
}

provider "talentbase" {
  region      = "us-east-1"
  environment = "production"
}

variable "domain" {
  type    = string
  default = "talentbase.example"
}

# Non-secret configuration (secrets go in talentbase_secret).
resource "talentbase_parameter" "api_url" {
  name        = "/talentbase-prod/web/api-url"
  value       = "https://api.${var.domain}"
  type        = "String" # or StringList
  description = "API URL for the web application"
  tier        = "Standard"
}

output "api_url_ref" {
  value = talentbase_parameter.api_url.env_ref # talentbase_service.secrets = { VITE_API_URL = ... }
}
