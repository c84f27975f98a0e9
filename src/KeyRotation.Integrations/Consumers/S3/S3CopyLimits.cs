namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// S3's size limits for copying an object onto itself, and the part size the multipart copy starts from. CopyObject copies
/// a source of at most 5 GiB; a larger one is copied in parts (UploadPartCopy), each 5 MiB to 5 GiB (the last may be
/// smaller), at most 10,000 of them. <see cref="Default"/> holds S3's real limits; tests pass small ones (and set the
/// same on the local endpoint) so that no test needs gigabytes.
/// </summary>
internal sealed record S3CopyLimits(long CopyObjectMaxSize, long PartSize, long MinPartSize, long MaxPartSize, int MaxParts)
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>
    /// S3's limits, and parts of 512 MiB: few enough requests for a 5 GiB object (11) and small enough that a part
    /// that fails and is copied again by the next run costs little.
    /// </summary>
    public static S3CopyLimits Default { get; } = new(5 * GiB, 512 * MiB, 5 * MiB, 5 * GiB, 10_000);

    /// <summary>
    /// The part size for an object of <paramref name="size"/> bytes: <see cref="PartSize"/>, grown so that the object
    /// fits in <see cref="MaxParts"/> parts; null when not even that many parts of <see cref="MaxPartSize"/> hold it.
    /// </summary>
    public long? PartSizeFor(long size)
    {
        var grown = Math.Max(Math.Max(PartSize, MinPartSize), (size + MaxParts - 1) / MaxParts);
        return grown > MaxPartSize ? null : grown;
    }

    /// <summary>The byte ranges (first and last byte, inclusive) of the parts of an object of <paramref name="size"/> bytes.</summary>
    public static IReadOnlyList<(long First, long Last)> Ranges(long size, long partSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partSize);
        var ranges = new List<(long, long)>();
        for (var first = 0L; first < size; first += partSize)
        {
            ranges.Add((first, Math.Min(size, first + partSize) - 1));
        }

        return ranges;
    }
}
