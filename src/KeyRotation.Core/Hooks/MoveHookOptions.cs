using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Hooks;

/// <summary>
/// The move hooks every alias gets unless its key's tags say otherwise (PRE_MOVE_HOOK_ARN, POST_MOVE_HOOK_ARN), and how
/// long one invocation may take (MOVE_HOOK_TIMEOUT_SECONDS). docs/hooks.md is the contract.
/// </summary>
public sealed record MoveHookOptions
{
    /// <summary>The longest a hook invocation may take unless MOVE_HOOK_TIMEOUT_SECONDS says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>No hooks: the alias moves as soon as the new generation is ready.</summary>
    public static readonly MoveHookOptions None = new();

    /// <summary>Invoked synchronously before the alias moves; its refusal leaves the alias where it is.</summary>
    public MoveHookArn? PreMove { get; init; }

    /// <summary>Invoked asynchronously after the move; its failure is reported and never undoes the move.</summary>
    public MoveHookArn? PostMove { get; init; }

    /// <summary>The longest one invocation may take (never past the run's deadline); a pre-move hook that takes longer refuses.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Reads the three settings; each bad value is added to <paramref name="problems"/>, naming its setting.</summary>
    internal static MoveHookOptions Parse(Func<string, string?> get, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(get);
        MoveHookArn? Arn(string name)
        {
            if (get(name) is not { } text)
            {
                return null;
            }

            if (MoveHookArn.TryParse(text, out var arn, out var problem))
            {
                return arn;
            }

            problems.Add($"{name}: {problem} Leave it empty for no hook.");
            return null;
        }

        var seconds = RotationSettings.ParseInt(get(SettingNames.MoveHookTimeoutSeconds), SettingNames.MoveHookTimeoutSeconds, (int)DefaultTimeout.TotalSeconds, 1, 900, "seconds one hook invocation may take", problems);
        return new MoveHookOptions
        {
            PreMove = Arn(SettingNames.PreMoveHookArn),
            PostMove = Arn(SettingNames.PostMoveHookArn),
            Timeout = TimeSpan.FromSeconds(seconds),
        };
    }
}
