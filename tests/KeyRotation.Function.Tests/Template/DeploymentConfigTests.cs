using System.Text.RegularExpressions;

namespace KeyRotation.Function.Tests.Template;

public sealed partial class DeploymentConfigTests
{
    /// <summary>samconfig.toml as section -> key -> raw value (a line parser: the file is flat TOML).</summary>
    private static Dictionary<string, Dictionary<string, string>> SamConfig()
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { [""] = [] };
        var current = sections[""];
        foreach (var raw in RepositoryFiles.Read("samconfig.toml").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = sections[line[1..^1]] = [];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            current[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return sections;
    }

    [Fact]
    public void SamConfig_Version_Is01()
    {
        Assert.Equal("0.1", SamConfig()[""]["version"]);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("prod")]
    public void SamConfig_Environment_DeploysWithStackBucketCapabilitiesConfirmationAndParameters(string environment)
    {
        var deploy = SamConfig()[$"{environment}.deploy.parameters"];

        Assert.Matches("^\"[A-Za-z][A-Za-z0-9-]*\"$", deploy["stack_name"]);
        Assert.Equal("true", deploy["resolve_s3"]);
        Assert.Equal("\"CAPABILITY_IAM\"", deploy["capabilities"]);
        Assert.Equal("true", deploy["confirm_changeset"]);
        Assert.Contains("AliasNames=", deploy["parameter_overrides"], StringComparison.Ordinal);
    }

    [Fact]
    public void SamConfig_DefaultValidate_Lints()
    {
        Assert.Equal("true", SamConfig()["default.validate.parameters"]["lint"]);
    }

    [Fact]
    public void SamConfig_ParameterOverrides_NameOnlyTemplateParameters()
    {
        var parameters = RotationStack.Template.Parameters.Keys.ToHashSet(StringComparer.Ordinal);
        var overridden = SamConfig().Values
            .Where(section => section.ContainsKey("parameter_overrides"))
            .SelectMany(section => OverrideName().Matches(section["parameter_overrides"]).Select(m => m.Groups[1].Value))
            .ToList();

        Assert.NotEmpty(overridden);
        Assert.DoesNotContain(overridden, name => !parameters.Contains(name));
    }

    [Fact]
    public void CiWorkflow_Steps_RunTheCiScriptWithLeastPrivilegeConcurrencyAndATimeout()
    {
        var ci = RepositoryFiles.Read(".github/workflows/ci.yml");

        Assert.Contains("run: bash .ci/run", ci, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^permissions:\s*\n\s+contents: read\s*$", ci);
        Assert.Matches(@"(?m)^concurrency:\s*\n(\s+.*\n)*?\s+cancel-in-progress: true", ci);
        Assert.Matches(@"(?m)^\s+timeout-minutes: \d+", ci);
        Assert.Contains("global-json-file: global.json", ci, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*pull_request:", ci);
    }

    [Theory]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".github/workflows/deploy.yml")]
    public void Workflow_EveryAction_IsPinnedToAFullCommitShaWithAVersionComment(string workflow)
    {
        var uses = UsesLine().Matches(RepositoryFiles.Read(workflow)).ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, m => Assert.Matches(@"^[0-9a-f]{40} # v\d+\.\d+\.\d+$", m.Groups[2].Value.Trim()));
    }

    [Fact]
    public void DeployWorkflow_Credentials_ComeFromOidcWithoutLongLivedKeys()
    {
        var deploy = RepositoryFiles.Read(".github/workflows/deploy.yml");

        Assert.Matches(@"(?m)^\s+id-token: write", deploy);
        Assert.Contains("role-to-assume:", deploy, StringComparison.Ordinal);
        Assert.DoesNotContain("aws-access-key-id", deploy, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("aws-secret-access-key", deploy, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DeployWorkflow_Deploy_UsesTheChosenConfigEnvironmentBehindAnEnvironmentGate()
    {
        var deploy = RepositoryFiles.Read(".github/workflows/deploy.yml");

        Assert.Matches(@"(?m)^\s+environment: \$\{\{ inputs\.environment \|\| 'default' \}\}", deploy);
        Assert.Contains("sam build", deploy, StringComparison.Ordinal);
        Assert.Contains("sam deploy --config-env \"$CONFIG_ENV\" --no-confirm-changeset --no-fail-on-empty-changeset", deploy, StringComparison.Ordinal);
        Assert.Contains("workflow_dispatch:", deploy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".github/workflows/deploy.yml")]
    public void Workflow_TemplateLinters_AreInstalledAtPinnedVersionsBeforeTheCiScript(string workflow)
    {
        var text = RepositoryFiles.Read(workflow);

        Assert.Matches(@"cfn-lint==1\.51\.0 aws-sam-translator==\d+\.\d+\.\d+", text);
        Assert.True(text.IndexOf("cfn-lint==", StringComparison.Ordinal) < text.IndexOf("run: bash .ci/run", StringComparison.Ordinal));
    }

    [Fact]
    public void CiScript_BeforeTheTests_LintsBothTemplatesAndTranslatesTheSamTemplate()
    {
        var script = RepositoryFiles.Read(".ci/run");
        var tests = script.IndexOf("dotnet test KeyRotation.sln", StringComparison.Ordinal);

        Assert.Matches(@"(?m)^set -euo pipefail$", script);
        Assert.InRange(script.IndexOf("cfn-lint -- template.yaml hub.yaml", StringComparison.Ordinal), 0, tests);
        Assert.InRange(script.IndexOf("python3 .ci/sam-translate.py template.yaml", StringComparison.Ordinal), 0, tests);
    }

    [Fact]
    public void DeployWorkflow_WithoutDeploymentVariables_RunsNoStepAfterTheCheckAndSaysSo()
    {
        var jobs = CloudFormationTemplate.Map(CloudFormationTemplate.Parse(RepositoryFiles.Read(".github/workflows/deploy.yml")).Root["jobs"]);
        var steps = CloudFormationTemplate.List(CloudFormationTemplate.Map(jobs["deploy"])["steps"]);
        var check = CloudFormationTemplate.Map(steps[0]);
        var script = (string)check["run"]!;

        Assert.Equal("config", check["id"]);
        Assert.Contains("AWS_DEPLOY_ROLE_ARN", script, StringComparison.Ordinal);
        Assert.Contains("::notice::Not deploying", script, StringComparison.Ordinal);
        Assert.Contains("workflow_dispatch", script, StringComparison.Ordinal);
        Assert.All(steps.Skip(1).Select(CloudFormationTemplate.Map), step => Assert.Equal("steps.config.outputs.deploy == 'true'", step["if"]));
    }

    [Fact]
    public void Dependabot_Ecosystems_CoverNuGetAndGitHubActions()
    {
        var dependabot = RepositoryFiles.Read(".github/dependabot.yml");

        Assert.Contains("package-ecosystem: nuget", dependabot, StringComparison.Ordinal);
        Assert.Contains("package-ecosystem: github-actions", dependabot, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(\w+)=\\?""")]
    private static partial Regex OverrideName();

    [GeneratedRegex(@"(?m)^\s*-?\s*uses: ([^@\s]+)@(.+)$")]
    private static partial Regex UsesLine();
}
