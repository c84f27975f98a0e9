namespace KeyRotation.Core.Pacing;

/// <summary>How many aliases at once: fixed without a pacer, else sized after each alias that did KMS work.</summary>
internal sealed class RunWidth
{
    private readonly KmsRequestPacer? _pacer;
    private readonly IReadOnlyDictionary<string, KmsCallStatistics>? _start;
    private readonly int _cap;
    private int _finished;

    public RunWidth(KmsRequestPacer? pacer, int cap)
    {
        _pacer = pacer;
        _cap = cap;
        _start = pacer?.Statistics();
        Target = pacer is null ? cap : ConcurrencySizing.Size(pacer.Quotas, new Dictionary<string, KmsCallStatistics>(), 0, cap);
    }

    public int Target { get; private set; }

    public void Finished(AliasRotationResult result)
    {
        if (_pacer is null || result.Outcome == RotationOutcome.Skipped && result.PreviousKeyId is null)
        {
            return;
        }

        var finished = Interlocked.Increment(ref _finished);
        Target = ConcurrencySizing.Size(_pacer.Quotas, ConcurrencySizing.Since(_start!, _pacer.Statistics()), finished, _cap);
    }
}
