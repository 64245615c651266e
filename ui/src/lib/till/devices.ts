// The Device settings screen's form as the cashier edits it (text fields, a "connected" switch
// per device) and its conversion to and from the till's DeviceSettings. Numbers are checked
// here only for being whole numbers; the till checks the ranges and says what to fix.

import type { DeviceSettings } from '$lib/bindings/DeviceSettings';
import type { SerialSettings } from '$lib/bindings/SerialSettings';

export type ConnectionKind = 'tcp' | 'serial' | 'file';
export type SerialDevice = 'scanner' | 'scale' | 'display';

export interface SerialForm {
  on: boolean;
  path: string;
  baud: string;
}

export interface DeviceForm {
  printer: {
    on: boolean;
    kind: ConnectionKind;
    host: string;
    port: string;
    path: string;
    baud: string;
    paper: '58' | '80';
    cut: boolean;
    drawerPin: '2' | '5';
    pulse: string;
  };
  scanner: SerialForm;
  scale: SerialForm;
  display: SerialForm;
  codePage: string;
}

/** Baud rates serial POS devices are set to. */
export const BAUDS = ['2400', '4800', '9600', '19200', '38400', '57600', '115200'];

function serialForm(s: SerialSettings | null, path: string): SerialForm {
  return s ? { on: true, path: s.path, baud: String(s.baud) } : { on: false, path, baud: '9600' };
}

/** The form for what the till has now (suggested ports where nothing is set up). */
export function toForm(s: DeviceSettings): DeviceForm {
  const p = s.printer;
  const c = p?.connection;
  return {
    printer: {
      on: p !== null,
      kind: c?.kind ?? 'tcp',
      host: c?.kind === 'tcp' ? c.host : '',
      port: c?.kind === 'tcp' ? String(c.port) : '9100',
      path: c?.kind === 'serial' || c?.kind === 'file' ? c.path : '/dev/usb/lp0',
      baud: c?.kind === 'serial' ? String(c.baud) : '9600',
      paper: p?.paper_mm === 58 ? '58' : '80',
      cut: p?.cut ?? true,
      drawerPin: p?.drawer_pin === 5 ? '5' : '2',
      pulse: String(p?.pulse_ms ?? 100),
    },
    scanner: serialForm(s.scanner, '/dev/ttyACM0'),
    scale: serialForm(s.scale, '/dev/ttyUSB0'),
    display: serialForm(s.display, '/dev/ttyUSB1'),
    codePage: s.code_page,
  };
}

function whole(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

function serial(f: SerialForm): SerialSettings | null | undefined {
  if (!f.on) return null;
  const baud = whole(f.baud);
  return baud === null ? undefined : { path: f.path.trim(), baud };
}

/** The settings the form describes, or null when a number field holds no whole number. */
export function toSettings(f: DeviceForm): DeviceSettings | null {
  const p = f.printer;
  const [port, baud, pulse] = [whole(p.port), whole(p.baud), whole(p.pulse)];
  const scanner = serial(f.scanner);
  const scale = serial(f.scale);
  const display = serial(f.display);
  if (scanner === undefined || scale === undefined || display === undefined) return null;
  if (p.on && (pulse === null || (p.kind === 'tcp' && port === null) || (p.kind === 'serial' && baud === null))) {
    return null;
  }
  const connection =
    p.kind === 'tcp'
      ? { kind: 'tcp' as const, host: p.host.trim(), port: port ?? 9100 }
      : p.kind === 'serial'
        ? { kind: 'serial' as const, path: p.path.trim(), baud: baud ?? 9600 }
        : { kind: 'file' as const, path: p.path.trim() };
  return {
    printer: p.on
      ? { connection, paper_mm: Number(p.paper), cut: p.cut, drawer_pin: Number(p.drawerPin), pulse_ms: pulse ?? 100 }
      : null,
    scanner,
    scale,
    display,
    code_page: f.codePage,
  };
}
