using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using KeyRotation.Function.Tests.Template;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// template.yaml as CloudFormation sees it after the SAM transform: translated once per test run by aws-sam-translator
/// (the library inside the SAM CLI), with CodeUri replaced by an S3 URI as <c>sam deploy</c> does. Needs the machine's
/// python3 with aws-sam-translator; without them the tests fail and say so.
/// </summary>
internal static class SamTranslation
{
    private const string Script = """
        import json, sys
        try:
            from samtranslator.translator.transform import transform
            from samtranslator.yaml_helper import yaml_parse
        except ImportError as error:
            sys.exit("aws-sam-translator is not installed for python3 (pip install aws-sam-translator): %s" % error)

        class NoManagedPolicies:
            def load(self):
                return {}

        template = yaml_parse(sys.stdin.read())
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = "s3://keyrotation-artifacts/function.zip"
        print(json.dumps(transform(template, {}, NoManagedPolicies())))
        """;

    private static readonly Lazy<JsonObject> Translated = new(Translate);

    /// <summary>The translated template (a fresh copy: callers may change it).</summary>
    public static JsonObject Template => Translated.Value.DeepClone().AsObject();

    private static JsonObject Translate()
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.Environment["AWS_DEFAULT_REGION"] = "eu-west-1";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("These tests translate template.yaml with aws-sam-translator and need python3 on the PATH: " + ex.Message, ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(RepositoryFiles.Read("template.yaml"));
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill();
                throw new InvalidOperationException("aws-sam-translator did not finish within two minutes");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Translating template.yaml with python3 and aws-sam-translator failed (exit {process.ExitCode}): {error.Result}");
            }

            return JsonNode.Parse(output.Result)!.AsObject();
        }
    }
}
