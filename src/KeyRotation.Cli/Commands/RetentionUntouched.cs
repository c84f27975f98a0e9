using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.Core.Retention;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// The generations retention plan would otherwise leave out without a word: those that were rolled back. They are off
/// the alias's chain (the chain runs back from the current key), so retention never considers them; the plan lists
/// them as kept, with that reason, beside the current and original keys, which the planner already lists as kept.
/// </summary>
internal static class RetentionUntouched
{
    public static async Task<IReadOnlyList<RetentionPlan>> WithRolledBackAsync(IAmazonKeyManagementService kms, IReadOnlyList<RetentionPlan> plans, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var history = new AliasHistory(kms);
        var result = new List<RetentionPlan>(plans.Count);
        foreach (var plan in plans)
        {
            if (plan.SkipReason is not null)
            {
                result.Add(plan);
                continue;
            }

            AliasStatus status;
            try
            {
                status = await history.GetAsync(plan.Alias, ct);
            }
            catch (RotationException)
            {
                // The planner read the alias a moment ago; if it cannot be read now, the plan stands as the planner made it.
                result.Add(plan);
                continue;
            }

            var listed = plan.Steps.Select(s => s.KeyId).ToHashSet(StringComparer.Ordinal);
            var rolledBack = status.RolledBack.Where(k => !listed.Contains(k.KeyId)).Select(k => new RetentionStep
            {
                Alias = plan.Alias,
                Action = RetentionAction.Keep,
                KeyId = k.KeyId,
                Generation = k.Generation,
                Reason = $"rolled back{(k.RolledBackAt is { } at ? " at " + at : string.Empty)}: off the alias's chain from the current key, so retention never touches it",
            });
            result.Add(plan with { Steps = [.. plan.Steps, .. rolledBack] });
        }

        return result;
    }
}
