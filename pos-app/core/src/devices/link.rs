//! The wire to a device: a TCP socket, a serial port or a device file, all blocking. Callers
//! on the async runtime go through `spawn_blocking` (device I/O never runs on it).

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::config::Connection;
use super::error::{DeviceError, DeviceResult};
use super::usb;

/// An open connection to one device.
pub trait Link: Send {
    /// Writes all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> DeviceResult<()>;
    /// The next byte from the device, waiting at most `timeout`; `None` when none came.
    fn read_byte(&mut self, timeout: Duration) -> DeviceResult<Option<u8>>;
    /// Whether the device can answer at all (a device file cannot).
    fn answers(&self) -> bool;
}

/// Opens `connection` for `device`, giving up after `timeout`.
pub fn open(
    connection: &Connection,
    device: &'static str,
    timeout: Duration,
) -> DeviceResult<Box<dyn Link>> {
    let unavailable = |detail: String| DeviceError::Unavailable {
        device,
        place: connection.to_string(),
        detail,
    };
    match connection {
        Connection::Tcp { host, port } => {
            let addr = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| unavailable(e.to_string()))?
                .next()
                .ok_or_else(|| unavailable("the name resolves to no address".into()))?;
            let stream = TcpStream::connect_timeout(&addr, timeout)
                .map_err(|e| unavailable(e.to_string()))?;
            stream
                .set_write_timeout(Some(timeout))
                .and_then(|()| stream.set_nodelay(true))
                .map_err(|e| unavailable(e.to_string()))?;
            Ok(Box::new(Tcp { stream, device }))
        }
        Connection::Serial { path, baud } => {
            open_serial(path, *baud, device, timeout).map(|s| Box::new(s) as Box<dyn Link>)
        }
        Connection::File { path } => {
            let path = usb::resolve(path, usb::Kind::Printer, device)?;
            OpenOptions::new()
                .append(true)
                .open(&path)
                .map(|file| Box::new(DeviceFile { file, device }) as Box<dyn Link>)
                .map_err(|e| unavailable(format!("{path}: {e}")))
        }
    }
}

/// Opens a serial port (or a pty standing in for one) at `baud`, 8N1; `usb:VID:PID`
/// opens the port a USB-CDC or USB-serial device with those ids has now.
pub fn open_serial(
    path: &str,
    baud: u32,
    device: &'static str,
    timeout: Duration,
) -> DeviceResult<Serial> {
    open_serial_framed(path, baud, device, timeout, false)
}

/// [`open_serial`], with 7 data bits and even parity when `seven_even` (the Toledo 8217
/// scale protocol's framing).
pub fn open_serial_framed(
    path: &str,
    baud: u32,
    device: &'static str,
    timeout: Duration,
    seven_even: bool,
) -> DeviceResult<Serial> {
    let (bits, parity) = if seven_even {
        (serialport::DataBits::Seven, serialport::Parity::Even)
    } else {
        (serialport::DataBits::Eight, serialport::Parity::None)
    };
    let path = usb::resolve(path, usb::Kind::Serial, device)?;
    serialport::new(&path, baud)
        .data_bits(bits)
        .parity(parity)
        .timeout(timeout)
        .open()
        .map(|port| Serial { port, device })
        .map_err(|e| DeviceError::Unavailable {
            device,
            place: path.clone(),
            detail: e.to_string(),
        })
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

struct Tcp {
    stream: TcpStream,
    device: &'static str,
}

impl Link for Tcp {
    fn send(&mut self, bytes: &[u8]) -> DeviceResult<()> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| DeviceError::link(self.device, e))
    }

    fn read_byte(&mut self, timeout: Duration) -> DeviceResult<Option<u8>> {
        let mut b = [0u8; 1];
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .map_err(|e| DeviceError::link(self.device, e))?;
        match self.stream.read(&mut b) {
            Ok(0) => Err(DeviceError::link(self.device, "the connection was closed")),
            Ok(_) => Ok(Some(b[0])),
            Err(e) if timed_out(&e) => Ok(None),
            Err(e) => Err(DeviceError::link(self.device, e)),
        }
    }

    fn answers(&self) -> bool {
        true
    }
}

/// A serial port.
pub struct Serial {
    port: Box<dyn serialport::SerialPort>,
    device: &'static str,
}

impl Link for Serial {
    fn send(&mut self, bytes: &[u8]) -> DeviceResult<()> {
        self.port
            .write_all(bytes)
            .and_then(|()| self.port.flush())
            .map_err(|e| DeviceError::link(self.device, e))
    }

    fn read_byte(&mut self, timeout: Duration) -> DeviceResult<Option<u8>> {
        let mut b = [0u8; 1];
        self.port
            .set_timeout(timeout)
            .map_err(|e| DeviceError::link(self.device, e))?;
        match self.port.read(&mut b) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(b[0])),
            Err(e) if timed_out(&e) => Ok(None),
            Err(e) => Err(DeviceError::link(self.device, e)),
        }
    }

    fn answers(&self) -> bool {
        true
    }
}

/// A device node such as `/dev/usb/lp0`, or a file collecting jobs: written, never read.
struct DeviceFile {
    file: File,
    device: &'static str,
}

impl Link for DeviceFile {
    fn send(&mut self, bytes: &[u8]) -> DeviceResult<()> {
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.flush())
            .map_err(|e| DeviceError::link(self.device, e))
    }

    fn read_byte(&mut self, _timeout: Duration) -> DeviceResult<Option<u8>> {
        Ok(None)
    }

    fn answers(&self) -> bool {
        false
    }
}
