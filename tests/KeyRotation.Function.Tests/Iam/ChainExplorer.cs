namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// Every sequence of attacker moves up to a length, from one account, each move applied to the state the previous
/// ones left. A denied move or a read changes nothing, so what could follow it was already explored from the state
/// before it (with one more step to go): only allowed changes are expanded.
/// </summary>
internal sealed class ChainExplorer(IReadOnlyList<AttackerMove> moves)
{
    public int RequestsEvaluated { get; private set; }

    public int LongestAllowedChain { get; private set; }

    /// <summary>Every chain (as move names) whose last move was allowed although it must never be.</summary>
    public List<string> Breaches { get; } = [];

    public void Explore(SimulatedAccount start, int maxLength) => Explore(start, maxLength, []);

    /// <summary>Plays the moves in order; the 1-based step of the first denied move, or 0 when all were allowed.</summary>
    public static int StoppedAt(SimulatedAccount start, params AttackerMove[] chain)
    {
        var account = start;
        for (var i = 0; i < chain.Length; i++)
        {
            var target = AttackerMoves.Target(account, chain[i]);
            if (chain[i].TargetKey is not null && target is null)
            {
                return i + 1;
            }

            var (allowed, after) = chain[i].Apply(account, target);
            if (!allowed)
            {
                return i + 1;
            }

            account = after;
        }

        return 0;
    }

    private void Explore(SimulatedAccount account, int remaining, List<string> path)
    {
        if (remaining == 0)
        {
            return;
        }

        foreach (var move in moves)
        {
            var target = AttackerMoves.Target(account, move);
            if (move.TargetKey is not null && target is null)
            {
                continue;
            }

            RequestsEvaluated++;
            var (allowed, after) = move.Apply(account, target);
            if (!allowed)
            {
                continue;
            }

            path.Add(move.Name);
            LongestAllowedChain = Math.Max(LongestAllowedChain, path.Count);
            if (move.MustNeverBeAllowed)
            {
                Breaches.Add(string.Join(" -> ", path));
            }
            else if (!ReferenceEquals(after, account))
            {
                Explore(after, remaining - 1, path);
            }

            path.RemoveAt(path.Count - 1);
        }
    }
}
