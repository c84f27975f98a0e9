namespace KeyRotation.LocalKms;

/// <summary>
/// A file that keeps a <see cref="LocalKmsService"/>'s state (<see cref="LocalKmsService.ExportState"/>) between runs.
/// Writes go to a temporary file renamed over the old one, so a crash never leaves half a state; an unchanged state
/// is not written again.
/// </summary>
public sealed class LocalKmsStateFile
{
    private readonly Lock _gate = new();
    private string? _written;

    public LocalKmsStateFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public bool Exists => File.Exists(Path);

    /// <summary>Loads the file into <paramref name="service"/>; false (nothing changed) when there is no file yet.</summary>
    /// <exception cref="FormatException">The file is not a state this service can take; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public bool LoadInto(LocalKmsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!Exists)
        {
            return false;
        }

        var json = File.ReadAllText(Path);
        try
        {
            service.ImportState(json);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{Path}: {ex.Message}", ex);
        }

        lock (_gate)
        {
            _written = json;
        }

        return true;
    }

    /// <summary>Writes the service's current state, unless it is what was last read or written.</summary>
    public void Save(LocalKmsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            // Export inside the lock: states are written in the order they were taken, so the newest always lands last.
            var json = service.ExportState();
            if (json == _written)
            {
                return;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temporary = Path + ".tmp";
            File.WriteAllText(temporary, json);
            File.Move(temporary, Path, overwrite: true);
            _written = json;
        }
    }

    /// <summary>Removes the file (a fresh start next time).</summary>
    public void Delete()
    {
        lock (_gate)
        {
            File.Delete(Path);
            _written = null;
        }
    }
}
