namespace KeyRotation.LocalConsumers;

/// <summary>
/// The parameters as data, every version of each, so a Parameter Store that stops can start again where it was (the
/// CLI sandbox keeps them in a file between commands). The test knobs (<see cref="DeniedDecryption"/>,
/// <see cref="PageSize"/>) are not state.
/// </summary>
internal sealed partial class LocalSsm
{
    /// <summary>Every parameter's versions, oldest first, by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Version>> ExportParameters()
    {
        lock (_gate)
        {
            return _parameters.ToDictionary(p => p.Key, p => (IReadOnlyList<Version>)[.. p.Value], StringComparer.Ordinal);
        }
    }

    /// <summary>Replaces every parameter with <paramref name="parameters"/> (from <see cref="ExportParameters"/>); a parameter needs a version.</summary>
    public void ImportParameters(IReadOnlyDictionary<string, IReadOnlyList<Version>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.FirstOrDefault(p => p.Value.Count == 0) is { Key: { } empty })
        {
            throw new ArgumentException($"The parameter {empty} has no version.", nameof(parameters));
        }

        lock (_gate)
        {
            _parameters.Clear();
            foreach (var (name, versions) in parameters)
            {
                _parameters.Add(name, [.. versions]);
            }
        }
    }
}
