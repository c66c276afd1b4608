using System.Runtime.InteropServices;

namespace EvalHarness.Benchmarks;

/// <summary>The process's CPU time (all threads, user + system), from clock_gettime(CLOCK_PROCESS_CPUTIME_ID).</summary>
internal static class CpuClock
{
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double Seconds()
    {
        ClockGetTime(2 /* CLOCK_PROCESS_CPUTIME_ID */, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
