using System.Text;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// Writes one new ciphertext file of <c>reencrypt --output-dir</c> atomically: into a temporary file beside it, flushed
/// to disk, then renamed over the name. A reader sees the old file or the whole new one, never part of one; a failed
/// write leaves no temporary file behind. Without --overwrite the rename refuses a file that appeared since the check.
/// </summary>
internal static class CiphertextFiles
{
    /// <summary>Null when written; else why not, in one line.</summary>
    public static async Task<string?> WriteAsync(string path, byte[] ciphertext, CiphertextFormat format, bool overwrite, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(ciphertext);
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            var content = format == CiphertextFormat.Raw ? ciphertext : Encoding.ASCII.GetBytes(Convert.ToBase64String(ciphertext) + "\n");
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, ct);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temporary);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return !overwrite && File.Exists(path) ? $"cannot write {path}: it exists now (created since the run began); pass --overwrite to replace it." : $"cannot write {path}: {ex.Message}";
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the temporary name starts with a dot and ends in .tmp, so a leftover is never taken for a ciphertext.
        }
    }
}
