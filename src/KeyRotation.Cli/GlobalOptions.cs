using System.CommandLine;
using KeyRotation.Cli.Targets;

namespace KeyRotation.Cli;

/// <summary>Options every command takes (recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Region { get; } = new("--region")
    {
        Description = "AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).",
        Recursive = true,
    };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url")
    {
        Description = "KMS endpoint URL (default: AWS_ENDPOINT_URL_KMS, then AWS_ENDPOINT_URL, then the Region's endpoint).",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "Named profile from the AWS config and credentials files, SSO profiles included (default: AWS_PROFILE, then the standard chain).",
        Recursive = true,
    };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> KmsRequestQuotas { get; } = new("--kms-request-quotas")
    {
        Description = "Requests per second this run allows itself per KMS operation, for accounts with raised quotas, e.g. CreateKey=20,UpdateAlias=20 (default: KMS_REQUEST_QUOTAS, else KMS's default quotas).",
        HelpName = "Op=rate,...",
        Recursive = true,
    };

    public Option<bool> Sandbox { get; } = new("--sandbox")
    {
        Description = "Run against an in-process local KMS seeded with demo aliases, kept between commands; notifications are printed. Needs no AWS account.",
        Recursive = true,
    };

    public Option<FileInfo?> SandboxState { get; } = new("--sandbox-state")
    {
        Description = "File that keeps the sandbox between commands (default: sandbox.json under your user data directory, printed).",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<bool> SandboxReset { get; } = new("--sandbox-reset")
    {
        Description = "Start the sandbox again from its seed (the state file is overwritten).",
        Recursive = true,
    };

    /// <summary>--role-arn, --external-id, --role-session-name and --accounts: other accounts (Targets/).</summary>
    public TargetOptions Targets { get; } = new();

    public void AddTo(Command root)
    {
        root.Add(Region);
        root.Add(EndpointUrl);
        root.Add(Profile);
        root.Add(Output);
        root.Add(KmsRequestQuotas);
        root.Add(Sandbox);
        root.Add(SandboxState);
        root.Add(SandboxReset);
        Targets.AddTo(root);
    }

    private static Option<string> CreateOutput()
    {
        var option = new Option<string>("--output")
        {
            Description = "As the AWS CLI's: table (for people; plain aligned columns when redirected), text (tab-separated lines) or json (one document).",
            Recursive = true,
            DefaultValueFactory = _ => "table",
            HelpName = "json|text|table",
        };
        option.AcceptOnlyFromAmong("json", "text", "table");
        return option;
    }
}
