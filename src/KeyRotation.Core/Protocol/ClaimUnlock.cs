using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>What <see cref="ClaimUnlock"/> did.</summary>
/// <param name="Alias">The alias.</param>
/// <param name="Unlocked">False when nothing was locked (the reason says what the alias's state is).</param>
/// <param name="Reason">What was done, or why nothing was.</param>
/// <param name="DeletedAliases">The takeover aliases removed.</param>
public sealed record UnlockResult(string Alias, bool Unlocked, string Reason, IReadOnlyList<string> DeletedAliases);

/// <summary>
/// The operator step for the one case the rotation cannot leave by itself: a move taken over so often that KMS's
/// 50-aliases-per-key quota leaves no room for another takeover. Deletes the move's takeover aliases (DeleteAlias,
/// which only the operator may call; the rotation role is denied it) and marks the marker's claim released, so the
/// next run takes the move over at once and goes on from where it stands. Keys are never touched.
/// </summary>
public sealed class ClaimUnlock
{
    private readonly IAmazonKeyManagementService _kms;

    public ClaimUnlock(IAmazonKeyManagementService kms) => _kms = kms;

    public async Task<UnlockResult> UnlockAsync(string alias, CancellationToken cancellationToken)
    {
        var state = await new AliasStateReader(_kms).ReadAsync(alias, cancellationToken);
        if (!state.InFlight)
        {
            return new UnlockResult(alias, false, $"{alias} has no rotation in progress (state {state.Phase}); nothing to unlock.", []);
        }

        var prefix = MarkerNames.TakeoverPrefix(state.Marker!);
        var takeovers = new List<string>();
        var request = new ListAliasesRequest();
        await foreach (var entry in _kms.Paginators.ListAliases(request).Aliases.WithCancellation(cancellationToken))
        {
            if (entry.AliasName.StartsWith(prefix, StringComparison.Ordinal))
            {
                takeovers.Add(entry.AliasName);
            }
        }

        foreach (var name in takeovers)
        {
            await KmsCalls.CallAsync("DeleteAlias", () => _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name }, cancellationToken));
        }

        await new KmsCalls(_kms).TagAsync(state.MarkerTargetKeyId!, [new(RotationTags.ClaimReleased, state.Marker!)], cancellationToken);
        return new UnlockResult(
            alias,
            true,
            $"Removed {takeovers.Count} takeover alias(es) of {state.Marker} and released its claim; the next run takes the {state.Phase.ToString().ToLowerInvariant()} move over at once.",
            takeovers);
    }
}
