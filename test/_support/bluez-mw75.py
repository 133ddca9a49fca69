'''python-dbusmock template: BlueZ 5 with one adapter, emulated MW75 Neuro headsets and other devices.

Run as `/usr/bin/python3 -m dbusmock --system -t test/_support/bluez-mw75.py -p JSON`.
Parameters (all optional):
  advertise     bool  devices show up when discovery starts (default true)
  confirm_raw   bool  answer ENABLE_RAW_MODE with 41 F1 (default true; false -> 41 F0)
  battery       int   level reported as 09 9A 03 14 F1 NN (default 85)
  powered       bool  adapter powered (default true)
  adapter       bool  create hci0 at all (default true)
  address       str   address of the one headset when `headsets` is absent (default A0:B1:C2:D3:E4:75)
  headsets      list  emulated MW75s, each {address, name="MW75 Neuro", alias=name, rssi=-79 (null:
                      no RSSI property), paired=true, battery, confirm_raw, advertise (default: the
                      global values), seen_after_ms=300, uuids=[MW75 service]}; each has its own
                      GATT service answering the activation commands
  others        list  non-MW75 devices, same keys (paired default false, uuids default []); no GATT
  record        str   file that gets one line per event, "<ADDRESS> <event>" with event one of
                      connect, disconnect, notify-on, notify-off, write <hex>
org.bluez.Mock.ConfigureMw75(JSON) changes advertise / confirm_raw / battery / rssi / paired later on:
of the device whose "address" the JSON names, else of every headset (advertise: every device).
org.bluez.Mock.RemoveAdapter(name) / AddAdapter(name, alias) are bluez5's, exported here too.
'''

import json

import dbus
from gi.repository import GLib

from dbusmock import mockobject
from dbusmock.templates import bluez5

BUS_NAME = bluez5.BUS_NAME
MAIN_OBJ = bluez5.MAIN_OBJ
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

ADAPTER_IFACE = 'org.bluez.Adapter1'
DEVICE_IFACE = 'org.bluez.Device1'
SERVICE_IFACE = 'org.bluez.GattService1'
CHAR_IFACE = 'org.bluez.GattCharacteristic1'

MW75_SERVICE = '00001100-d102-11e1-9b23-00025b00a5a5'
MW75_COMMAND = '00001101-d102-11e1-9b23-00025b00a5a5'
MW75_STATUS = '00001102-d102-11e1-9b23-00025b00a5a5'

# a Bluetooth dongle unplugged and plugged back (org.bluez.Mock methods): the adapter-status tests
AddAdapter = bluez5.AddAdapter
RemoveAdapter = bluez5.RemoveAdapter

CONFIG = {}
# device object path -> that device's settings (address, battery, confirm_raw, advertise, ...)
DEVICES = {}


# dbus-python's generated introspection omits the PropertiesChanged signal, and
# dbus-next (under node-ble) only delivers signals that introspection declares.
_plain_introspect = mockobject.DBusMockObject.Introspect


@dbus.service.method(dbus.INTROSPECTABLE_IFACE, in_signature='', out_signature='s',
                     path_keyword='object_path', connection_keyword='connection')
def _introspect_with_signals(self, object_path, connection):
    xml = _plain_introspect(self, object_path, connection)
    signal = ('<signal name="PropertiesChanged"><arg type="s" name="interface_name"/>'
              '<arg type="a{sv}" name="changed_properties"/>'
              '<arg type="as" name="invalidated_properties"/></signal>')
    marker = '<interface name="org.freedesktop.DBus.Properties">'
    return xml.replace(marker, marker + signal, 1)


# dbusmock executes a template file twice (name lookup, then load): patch once
if not getattr(mockobject.DBusMockObject, '_mw75_signals_declared', False):
    mockobject.DBusMockObject.Introspect = _introspect_with_signals
    mockobject.DBusMockObject._mw75_signals_declared = True
# keep dbusmock's AddTemplate from also exporting it as a method of the main object
del _introspect_with_signals


def _record(address, line):
    path = CONFIG.get('record')
    if path:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(address + ' ' + line + '\n')


def _device_path(address):
    return '/org/bluez/hci0/dev_' + address.replace(':', '_').upper()


def _later(ms, fn):
    def run():
        fn()
        return False
    GLib.timeout_add(ms, run)


def _reply_for(dev, cmd, arg):
    prefix = [0x09, 0x9A, 0x03]
    if cmd == 0x60:
        return prefix + [0x60, 0xF1]
    if cmd == 0x41:
        ok = arg == 0x00 or dev['confirm_raw']
        return prefix + [0x41, 0xF1 if ok else 0xF0]
    if cmd == 0x14:
        return prefix + [0x14, 0xF1, dev['battery']]
    return None


def _write_value(char, value, _options):
    data = [int(b) for b in value]
    path = char.path.rsplit('/', 2)[0]
    dev = DEVICES[path]
    _record(dev['address'], 'write ' + ''.join(f'{b:02x}' for b in data))
    device = mockobject.objects[path]
    if not device.props[DEVICE_IFACE]['Connected']:
        raise dbus.exceptions.DBusException('Not connected', name='org.bluez.Error.Failed')
    if len(data) < 5 or data[:3] != [0x09, 0x9A, 0x03]:
        return
    reply = _reply_for(dev, data[3], data[4])
    status = mockobject.objects[char.path.rsplit('/', 1)[0] + '/char0013']
    if reply is None or not status.props[CHAR_IFACE]['Notifying']:
        return
    _later(20, lambda: status.UpdateProperties(CHAR_IFACE, {
        'Value': dbus.Array(reply, signature='y', variant_level=1)}))


def _address_of_char(char):
    return DEVICES[char.path.rsplit('/', 2)[0]]['address']


def _start_notify(char):
    _record(_address_of_char(char), 'notify-on')
    char.UpdateProperties(CHAR_IFACE, {'Notifying': dbus.Boolean(True, variant_level=1)})


def _stop_notify(char):
    _record(_address_of_char(char), 'notify-off')
    char.UpdateProperties(CHAR_IFACE, {'Notifying': dbus.Boolean(False, variant_level=1)})


def _connect(device):
    _record(DEVICES[device.path]['address'], 'connect')
    device.UpdateProperties(DEVICE_IFACE, {'Connected': dbus.Boolean(True, variant_level=1)})
    # BlueZ resolves services a little after the link is up; node-ble waits for it
    _later(150, lambda: device.UpdateProperties(
        DEVICE_IFACE, {'ServicesResolved': dbus.Boolean(True, variant_level=1)}))


def _disconnect(device):
    _record(DEVICES[device.path]['address'], 'disconnect')
    status = mockobject.objects.get(device.path + '/service0010/char0013')
    if status is not None:
        status.props[CHAR_IFACE]['Notifying'] = dbus.Boolean(False, variant_level=1)
    device.UpdateProperties(DEVICE_IFACE, {
        'Connected': dbus.Boolean(False, variant_level=1),
        'ServicesResolved': dbus.Boolean(False, variant_level=1)})


def _add_gatt(mock, path):
    service = path + '/service0010'
    mock.AddObject(service, SERVICE_IFACE, {
        'UUID': dbus.String(MW75_SERVICE, variant_level=1),
        'Primary': dbus.Boolean(True, variant_level=1),
        'Device': dbus.ObjectPath(path, variant_level=1),
    }, [])
    mock.AddObject(service + '/char0011', CHAR_IFACE, {
        'UUID': dbus.String(MW75_COMMAND, variant_level=1),
        'Service': dbus.ObjectPath(service, variant_level=1),
        'Value': dbus.Array([], signature='y', variant_level=1),
        'Notifying': dbus.Boolean(False, variant_level=1),
        'Flags': dbus.Array(['write'], signature='s', variant_level=1),
    }, [('WriteValue', 'aya{sv}', '', _write_value)])
    mock.AddObject(service + '/char0013', CHAR_IFACE, {
        'UUID': dbus.String(MW75_STATUS, variant_level=1),
        'Service': dbus.ObjectPath(service, variant_level=1),
        'Value': dbus.Array([], signature='y', variant_level=1),
        'Notifying': dbus.Boolean(False, variant_level=1),
        'Flags': dbus.Array(['notify'], signature='s', variant_level=1),
    }, [('StartNotify', '', '', _start_notify), ('StopNotify', '', '', _stop_notify)])


def _set_rssi(device, rssi):
    if rssi is None:
        device.props[DEVICE_IFACE].pop('RSSI', None)
    else:
        device.props[DEVICE_IFACE]['RSSI'] = dbus.Int16(int(rssi), variant_level=1)


def _add_device(mock, path):
    if path in mockobject.objects:
        return
    dev = DEVICES[path]
    bluez5.AddDevice(mock, 'hci0', dev['address'], dev['name'])
    device = mockobject.objects[path]
    props = device.props[DEVICE_IFACE]
    props['Alias'] = dbus.String(dev['alias'], variant_level=1)
    props['Paired'] = dbus.Boolean(dev['paired'], variant_level=1)
    props['UUIDs'] = dbus.Array(dev['uuids'], signature='s', variant_level=1)
    _set_rssi(device, dev['rssi'])
    device.AddMethod(DEVICE_IFACE, 'Connect', '', '', _connect)
    device.AddMethod(DEVICE_IFACE, 'Disconnect', '', '', _disconnect)
    if dev['headset']:
        _add_gatt(mock, path)


def _unfiltered(step, adapter):
    # bluez5's Start/StopDiscovery read DiscoveryFilter, which only SetDiscoveryFilter creates
    props = adapter.props[ADAPTER_IFACE]
    if 'DiscoveryFilter' in props:
        step(adapter)
        return
    props['DiscoveryFilter'] = None
    try:
        step(adapter)
    finally:
        del props['DiscoveryFilter']


def _start_discovery(mock):
    def start(adapter):
        _unfiltered(bluez5.StartDiscovery, adapter)
        for path, dev in DEVICES.items():
            if dev['advertise']:
                # a device is seen a moment after the scan starts, as on real radios
                _later(dev['seen_after_ms'], lambda p=path: _add_device(mock, p))
    return start


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def ConfigureMw75(_self, params_json):
    """Changes advertise / confirm_raw / battery / rssi / paired of the running mock (JSON object)."""
    params = json.loads(params_json)
    address = params.pop('address', None)
    for path, dev in DEVICES.items():
        if address is not None and dev['address'] != str(address).upper():
            continue
        for key, value in params.items():
            if address is None and key != 'advertise' and not dev['headset']:
                continue
            if key in ('advertise', 'confirm_raw', 'paired'):
                dev[key] = bool(value)
            elif key == 'battery':
                dev[key] = int(value)
            elif key == 'rssi':
                dev[key] = None if value is None else int(value)
            else:
                continue
            device = mockobject.objects.get(path)
            if device is not None and key == 'paired':
                device.UpdateProperties(DEVICE_IFACE, {'Paired': dbus.Boolean(dev['paired'], variant_level=1)})
            elif device is not None and key == 'rssi':
                _set_rssi(device, dev['rssi'])


def _settings(spec, headset, defaults):
    address = str(spec['address']).upper()
    name = str(spec.get('name', 'MW75 Neuro' if headset else address))
    rssi = spec.get('rssi', -79)
    return {
        'headset': headset,
        'address': address,
        'name': name,
        'alias': str(spec.get('alias', name)),
        'rssi': None if rssi is None else int(rssi),
        'paired': bool(spec.get('paired', headset)),
        'battery': int(spec.get('battery', defaults['battery'])),
        'confirm_raw': bool(spec.get('confirm_raw', defaults['confirm_raw'])),
        'advertise': bool(spec.get('advertise', defaults['advertise'])),
        'seen_after_ms': int(spec.get('seen_after_ms', 300)),
        'uuids': [str(u) for u in spec.get('uuids', [MW75_SERVICE] if headset else [])],
    }


def load(mock, parameters):
    defaults = {
        'advertise': bool(parameters.get('advertise', True)),
        'confirm_raw': bool(parameters.get('confirm_raw', True)),
        'battery': int(parameters.get('battery', 85)),
    }
    CONFIG['record'] = parameters.get('record')
    headsets = parameters.get('headsets') or [{'address': parameters.get('address', 'A0:B1:C2:D3:E4:75')}]
    for spec, headset in [(h, True) for h in headsets] + [(o, False) for o in parameters.get('others', [])]:
        dev = _settings(spec, headset, defaults)
        DEVICES[_device_path(dev['address'])] = dev
    bluez5.load(mock, parameters)
    # dbusmock registers the main object only after load(); bluez5's helpers need it now
    mockobject.objects[MAIN_OBJ] = mock
    if not parameters.get('adapter', True):
        return
    bluez5.AddAdapter(mock, 'hci0', 'mw75-test')
    adapter = mockobject.objects['/org/bluez/hci0']
    adapter.props[ADAPTER_IFACE]['Powered'] = dbus.Boolean(bool(parameters.get('powered', True)),
                                                          variant_level=1)
    adapter.AddMethod(ADAPTER_IFACE, 'StartDiscovery', '', '', _start_discovery(mock))
    adapter.AddMethod(ADAPTER_IFACE, 'StopDiscovery', '', '',
                      lambda self: _unfiltered(bluez5.StopDiscovery, self))
