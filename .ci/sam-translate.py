"""Translates template.yaml with aws-sam-translator, the library behind the AWS::Serverless transform that
CloudFormation runs, after replacing each function's local CodeUri with an S3 URI as `sam deploy` does (a packaged
template's s3:// CodeUri is kept). Exits non-zero on any translation error or warning; prints the resource types
it produced. With --output FILE it also writes the translated template (JSON), for a service-managed StackSet,
which refuses templates with a transform.

usage: sam-translate.py [TEMPLATE] [--output FILE]"""
import argparse
import json
import os
import sys
import warnings

from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the translator needs a Region; no AWS call is made
warnings.simplefilter("error")  # a warning from the translator fails the check like an error

arguments = argparse.ArgumentParser(description="Translate a SAM template as the AWS::Serverless transform does.")
arguments.add_argument("template", nargs="?", default="template.yaml")
arguments.add_argument("--output", help="write the translated template (JSON) to this file")
options = arguments.parse_args()
path = options.template
with open(path, encoding="utf-8") as f:
    template = yaml_parse(f.read())

for name, resource in template.get("Resources", {}).items():
    if resource.get("Type") == "AWS::Serverless::Function":
        code = resource["Properties"].get("CodeUri")
        if not (isinstance(code, str) and code.startswith("s3://")):
            resource["Properties"]["CodeUri"] = f"s3://ci-artifacts-bucket/{name}.zip"

try:
    translated = Translator(None, Parser()).translate(
        template,
        parameter_values={"AWS::Region": "us-east-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"},
        # Every policy in the template is inline or a full ARN: a managed policy named any other way
        # would need an IAM lookup, and fails the check instead.
        get_managed_policy_map=lambda: {},
    )
except Exception as error:  # the translator's own exceptions carry the list of problems
    print(f"sam-translate: {path}: {error}", file=sys.stderr)
    for cause in getattr(error, "causes", []):
        print(f"  {cause.message}", file=sys.stderr)
    sys.exit(1)

if "Transform" in translated:
    print(f"sam-translate: {path}: the transform is still present after translation", file=sys.stderr)
    sys.exit(1)
if options.output:
    with open(options.output, "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=1)
types = sorted({r["Type"] for r in translated["Resources"].values()})
print(f"sam-translate: {path}: {len(translated['Resources'])} resources ({', '.join(types)})")
