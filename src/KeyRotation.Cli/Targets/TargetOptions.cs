using System.CommandLine;
using System.Globalization;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// The options that reach other accounts (recursive on the root command): <c>--role-arn</c> for one account,
/// <c>--accounts FILE</c> for many, with the external id and session name STS asks for.
/// </summary>
internal sealed class TargetOptions
{
    public Option<string?> RoleArn { get; } = new("--role-arn")
    {
        Description = "IAM role to assume through STS (with your --profile or default credentials) before calling KMS, for example the stack's keyrotation-status-<region> role.",
        HelpName = "ARN",
        Recursive = true,
    };

    public Option<string?> ExternalId { get; } = new("--external-id")
    {
        Description = "External id the role's trust policy requires (sts:ExternalId), with --role-arn.",
        Recursive = true,
    };

    public Option<string?> SessionName { get; } = new("--role-session-name")
    {
        Description = "Session name for the assumed roles, shown in the accounts' CloudTrail (default: keyrotation-cli-<unix time>).",
        Recursive = true,
    };

    public Option<FileInfo?> Accounts { get; } = new("--accounts")
    {
        Description = $"File of accounts to work on, one per line: {AccountTargets.Format} (status, plan, rotate, rollback, consumers and migrate).",
        HelpName = "FILE",
        Recursive = true,
    };

    public TargetOptions()
    {
        // Malformed values are parse errors, reported as System.CommandLine reports any other (exit 2, nothing called).
        Validate(RoleArn, value => AccountTargets.RoleArnProblem(value, null));
        Validate(ExternalId, AccountTargets.ExternalIdProblem);
        Validate(SessionName, AccountTargets.SessionNameProblem);
    }

    public void AddTo(Command root)
    {
        root.Add(RoleArn);
        root.Add(ExternalId);
        root.Add(SessionName);
        root.Add(Accounts);
    }

    /// <summary>
    /// What the command line asks for, checked before anything is called: the role of --role-arn, or the accounts
    /// file (read later, when the endpoint settings are known), or neither. A bad value is bad usage (exit 2).
    /// </summary>
    public TargetSelection Select(ParseResult parsed, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(time);
        var roleArn = parsed.GetValue(RoleArn);
        var externalId = parsed.GetValue(ExternalId);
        var sessionName = parsed.GetValue(SessionName) ?? $"keyrotation-cli-{time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var accounts = parsed.GetValue(Accounts);
        if (accounts is not null)
        {
            return roleArn is not null || externalId is not null
                ? throw new UsageException("--accounts names a role (and external id) on each line: it cannot be combined with --role-arn or --external-id.")
                : new TargetSelection(null, accounts.FullName, sessionName);
        }

        if (roleArn is null)
        {
            return externalId is not null
                ? throw new UsageException("--external-id needs --role-arn (the role whose trust policy asks for it).")
                : new TargetSelection(null, null, sessionName);
        }

        return new TargetSelection(new RoleToAssume(roleArn, sessionName, externalId), null, sessionName);
    }

    private static void Validate(Option<string?> option, Func<string, string?> problem) =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && problem(value) is { } message)
            {
                result.AddError($"{option.Name}: {message}.");
            }
        });
}

/// <summary>Where a command works: the caller's own account, one assumed <see cref="Role"/>, or the accounts of <see cref="AccountsFile"/>.</summary>
internal sealed record TargetSelection(RoleToAssume? Role, string? AccountsFile, string SessionName)
{
    public bool Any => Role is not null || AccountsFile is not null;
}
