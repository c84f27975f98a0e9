using KeyRotation.LocalKms;

namespace KeyRotation.Testing.Soak;

/// <summary>The kinds of trouble KMS gives a run.</summary>
internal enum SoakFaultKind
{
    /// <summary>ThrottlingException (400): the SDK backs off and retries.</summary>
    Throttling,

    /// <summary>KMSInternalException (500) before the call does anything.</summary>
    ServerError,

    /// <summary>DependencyTimeoutException (503): KMS timed out inside, nothing done.</summary>
    Timeout,

    /// <summary>The connection breaks before the call does anything (the client sees a 500).</summary>
    DroppedConnection,

    /// <summary>The call takes effect and its answer is lost, as when a run times out mid-call.</summary>
    LostAnswer,
}

/// <summary>One injected fault: the <see cref="Nth"/> call of <see cref="Operation"/> (counted over the whole seed).</summary>
internal sealed record SoakFault(SoakFaultKind Kind, string Operation, int Nth);

/// <summary>Draws a seed's faults and sets them on LocalKms: random kinds at random calls of the operations a run makes.</summary>
internal static class SoakFaults
{
    /// <summary>Operations a rotation run calls; the reads come up several times per alias, the writes about once.</summary>
    private static readonly (string Operation, int CallsPerAlias)[] Operations =
    [
        ("ListAliases", 1), ("DescribeKey", 6), ("ListResourceTags", 6), ("GetKeyPolicy", 2), ("ListGrants", 2),
        ("GetKeyRotationStatus", 2), ("ListKeyRotations", 2), ("CreateKey", 2), ("TagResource", 3), ("UntagResource", 2),
        ("CreateAlias", 2), ("UpdateAlias", 2), ("DeleteAlias", 2), ("RotateKeyOnDemand", 2),
    ];

    /// <summary>Draws <paramref name="count"/> faults among the calls still to come and sets them on <paramref name="faults"/>.</summary>
    public static IReadOnlyList<SoakFault> Install(Random random, LocalKmsFaults faults, int aliasCount, int count)
    {
        var drawn = new List<SoakFault>();
        var taken = new HashSet<(string, int)>();
        while (drawn.Count < count)
        {
            var (operation, perAlias) = Operations[random.Next(Operations.Length)];
            var nth = faults.CallCount(operation) + 1 + random.Next((aliasCount * perAlias) + 4);
            var kind = (SoakFaultKind)random.Next(5);
            if (!taken.Add((operation, nth)))
            {
                continue;
            }

            drawn.Add(new SoakFault(kind, operation, nth));
            switch (kind)
            {
                case SoakFaultKind.Throttling:
                    faults.FailNth(operation, nth, "ThrottlingException", "Rate exceeded (injected by the soak)");
                    break;
                case SoakFaultKind.ServerError:
                    faults.FailNth(operation, nth, "KMSInternalException", "Injected by the soak", statusCode: 500);
                    break;
                case SoakFaultKind.Timeout:
                    faults.FailNth(operation, nth, "DependencyTimeoutException", "Injected by the soak", statusCode: 503);
                    break;
                case SoakFaultKind.DroppedConnection:
                    faults.ThrowNth(operation, nth, new IOException("Connection reset (injected by the soak)"));
                    break;
                default:
                    faults.ThrowAfterNth(operation, nth, new IOException("Answer lost (injected by the soak)"));
                    break;
            }
        }

        return drawn;
    }

    /// <summary>The faults whose call came (the rest were drawn past the calls the runs made).</summary>
    public static IReadOnlyList<SoakFault> Fired(IReadOnlyList<SoakFault> drawn, LocalKmsFaults faults) =>
        [.. drawn.Where(f => faults.CallCount(f.Operation) >= f.Nth)];
}
