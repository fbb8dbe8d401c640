# Values only the production stack has (run with common.tftest.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}
