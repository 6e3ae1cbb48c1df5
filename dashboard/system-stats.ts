export interface SystemStats {
  memBytes: number;
  heapBytes: number;
  /** CPU use of this process since the previous sample, in percent of one core. */
  cpuPercent: number;
  cpuSeconds: number;
  uptimeSeconds: number;
  pid: number;
}

/** Samples this process's real memory and CPU; CPU is averaged over the time between samples. */
export function createSystemStats() {
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  let lastPercent = 0;
  return {
    sample(): SystemStats {
      const cpu = process.cpuUsage();
      const at = process.hrtime.bigint();
      const wallMicros = Number(at - lastAt) / 1000;
      // Samples closer than 200 ms apart would be noise; keep the previous figure.
      if (wallMicros >= 200_000) {
        const used = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
        lastPercent = Math.max(0, Math.round((used / wallMicros) * 1000) / 10);
        lastCpu = cpu;
        lastAt = at;
      }
      const mem = process.memoryUsage();
      return {
        memBytes: mem.rss,
        heapBytes: mem.heapUsed,
        cpuPercent: lastPercent,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        uptimeSeconds: Math.round(process.uptime()),
        pid: process.pid,
      };
    },
  };
}
