import type { LocalMediaView } from '@peerchart/core';
import { devicePickers, type DevicePicker } from '../../../web-shared/src/index';

/** The same pickers on the pre-join screen and in the call controls; `onPick` acts on a choice. */
export function DevicePickers({ local, speaker, onPick }: { local: LocalMediaView; speaker: string; onPick: (picker: DevicePicker, deviceId: string) => void }) {
  return devicePickers(local, speaker).map((picker) => (
    <label key={picker.id} className="pc-picker">
      {picker.label}
      <select data-testid={`${picker.id}-select`} value={picker.selected} onChange={(event) => onPick(picker, event.target.value)}>
        {picker.id === 'speaker' && <option value="">Default</option>}
        {picker.options.map((option) => (
          <option key={option.deviceId} value={option.deviceId}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  ));
}
