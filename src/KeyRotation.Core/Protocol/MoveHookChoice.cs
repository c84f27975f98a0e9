using KeyRotation.Core.Hooks;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Which hooks an alias gets: its current key's tag (<see cref="RotationTags.PreMoveHook"/>,
/// <see cref="RotationTags.PostMoveHook"/>: a Lambda function ARN, or <see cref="NoHook"/>), else the configured one, as
/// <see cref="StrategyChoice"/> picks the strategy. A tag that names no Lambda function is a refusal naming the alias,
/// the key and the tag, before anything is changed.
/// </summary>
internal static class MoveHookChoice
{
    /// <summary>The tag value that turns a configured hook off for one alias.</summary>
    public const string NoHook = "none";

    public static (MoveHookArn? Hook, string? Refusal) PreMove(AliasState state, MoveHookOptions options) =>
        Choose(state, RotationTags.PreMoveHook, KeyRecord.From(state.CurrentTags).PreMoveHook, options.PreMove, Configuration.SettingNames.PreMoveHookArn);

    public static (MoveHookArn? Hook, string? Refusal) PostMove(AliasState state, MoveHookOptions options) =>
        Choose(state, RotationTags.PostMoveHook, KeyRecord.From(state.CurrentTags).PostMoveHook, options.PostMove, Configuration.SettingNames.PostMoveHookArn);

    /// <summary>The first bad hook tag on the alias's key, in words; null when both are usable.</summary>
    public static string? Refusal(AliasState state, MoveHookOptions options) =>
        PreMove(state, options).Refusal ?? PostMove(state, options).Refusal;

    private static (MoveHookArn? Hook, string? Refusal) Choose(AliasState state, string tag, string? tagged, MoveHookArn? configured, string setting)
    {
        if (tagged is null)
        {
            return (configured, null);
        }

        if (tagged == NoHook)
        {
            return (null, null);
        }

        return MoveHookArn.TryParse(tagged, out var arn, out var problem)
            ? (arn, null)
            : (null, $"Key {state.Current!.KeyId} behind {state.Alias} is tagged {tag}: {problem} Tag it with a Lambda function ARN or {NoHook} (or remove the tag to use {setting}). Nothing was changed.");
    }
}
